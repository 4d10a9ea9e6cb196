-- 018: the child tables of extractions without foreign keys (issue 22).
--
-- The sink writes an extraction's child rows in the transaction that stores the extraction,
-- and nothing else writes them. The foreign keys checked every row against extractions, one
-- index lookup per row (some 120 rows a report): the largest cost of the sink's COPY beside
-- the rows themselves. Deleting an extraction still deletes its rows, as ON DELETE CASCADE
-- did, by one trigger per statement.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
             WHERE contype = 'f' AND confrelid = 'extractions'::regclass
               AND conrelid IN ('extraction_sections'::regclass, 'extraction_citations'::regclass,
                                'extraction_quantities'::regclass, 'extraction_metrics'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tab, c.conname);
    END LOOP;
END $$;

CREATE FUNCTION extractions_delete_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM extraction_sections c USING gone g
        WHERE c.doc_id = g.doc_id AND c.rules_hash = g.rules_hash;
    DELETE FROM extraction_citations c USING gone g
        WHERE c.doc_id = g.doc_id AND c.rules_hash = g.rules_hash;
    DELETE FROM extraction_quantities c USING gone g
        WHERE c.doc_id = g.doc_id AND c.rules_hash = g.rules_hash;
    DELETE FROM extraction_metrics c USING gone g
        WHERE c.doc_id = g.doc_id AND c.rules_hash = g.rules_hash;
    RETURN NULL;
END $$;

CREATE TRIGGER extractions_delete_children AFTER DELETE ON extractions
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION extractions_delete_children();
