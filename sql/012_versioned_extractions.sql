-- 012: versioned extractions (issue 19). A document may now hold one extraction per rule
-- set that ran on it, known by rules_hash (the first 16 hex digits of the SHA-256 of the
-- rule file and its model, as the worker computed it). Which one analysts see is a
-- decision written in promotions, never a race between workers' clocks.
--
--   extractions, extraction_sections, extraction_citations, extraction_quantities,
--   extraction_metrics   every version kept, keyed (doc_id, rules_hash[, ord])
--   promotions           the shown version of each document
--   documents, sections, citations, quantities, metrics
--                        views of the promoted version, with the columns they had, so
--                        README's queries and the two analysis views read as before.
--
-- Rows stored before this migration keep their facts under rules_hash 'legacy-<version>'.

DROP VIEW IF EXISTS metric_by_agency_year;
DROP VIEW IF EXISTS report_summary;

ALTER TABLE documents RENAME TO extractions;
ALTER TABLE sections RENAME TO extraction_sections;
ALTER TABLE citations RENAME TO extraction_citations;
ALTER TABLE quantities RENAME TO extraction_quantities;
ALTER TABLE metrics RENAME TO extraction_metrics;

ALTER TABLE extractions ADD COLUMN rules_hash text;
UPDATE extractions SET rules_hash = 'legacy-' || coalesce(rules_version, 'unknown');
ALTER TABLE extractions ALTER COLUMN rules_hash SET NOT NULL;
ALTER TABLE extractions DROP CONSTRAINT documents_pkey CASCADE;
ALTER TABLE extractions ADD CONSTRAINT extractions_pkey PRIMARY KEY (doc_id, rules_hash);
-- No index on rules_hash alone, here or on promotions: the foreign-key check of every child
-- row (doc_id, rules_hash) is planned once per sink session, and planned while the table was
-- still empty it chose such an index, whose one value matches every row: COPY grew slower
-- with every document stored (10 s for 500 documents after 3,000; 0.9 s with the key alone).

ALTER TABLE extraction_sections ADD COLUMN rules_hash text;
ALTER TABLE extraction_citations ADD COLUMN rules_hash text;
ALTER TABLE extraction_quantities ADD COLUMN rules_hash text;
ALTER TABLE extraction_metrics ADD COLUMN rules_hash text;
UPDATE extraction_sections c SET rules_hash = x.rules_hash FROM extractions x WHERE x.doc_id = c.doc_id;
UPDATE extraction_citations c SET rules_hash = x.rules_hash FROM extractions x WHERE x.doc_id = c.doc_id;
UPDATE extraction_quantities c SET rules_hash = x.rules_hash FROM extractions x WHERE x.doc_id = c.doc_id;
UPDATE extraction_metrics c SET rules_hash = x.rules_hash FROM extractions x WHERE x.doc_id = c.doc_id;

ALTER TABLE extraction_sections ALTER COLUMN rules_hash SET NOT NULL;
ALTER TABLE extraction_citations ALTER COLUMN rules_hash SET NOT NULL;
ALTER TABLE extraction_quantities ALTER COLUMN rules_hash SET NOT NULL;
ALTER TABLE extraction_metrics ALTER COLUMN rules_hash SET NOT NULL;
ALTER TABLE extraction_sections DROP CONSTRAINT sections_pkey;
ALTER TABLE extraction_citations DROP CONSTRAINT citations_pkey;
ALTER TABLE extraction_quantities DROP CONSTRAINT quantities_pkey;
ALTER TABLE extraction_metrics DROP CONSTRAINT metrics_pkey;
ALTER TABLE extraction_sections ADD CONSTRAINT extraction_sections_pkey
    PRIMARY KEY (doc_id, rules_hash, ord);
ALTER TABLE extraction_citations ADD CONSTRAINT extraction_citations_pkey
    PRIMARY KEY (doc_id, rules_hash, ord);
ALTER TABLE extraction_quantities ADD CONSTRAINT extraction_quantities_pkey
    PRIMARY KEY (doc_id, rules_hash, ord);
ALTER TABLE extraction_metrics ADD CONSTRAINT extraction_metrics_pkey
    PRIMARY KEY (doc_id, rules_hash, ord);
ALTER TABLE extraction_sections ADD FOREIGN KEY (doc_id, rules_hash)
    REFERENCES extractions ON DELETE CASCADE;
ALTER TABLE extraction_citations ADD FOREIGN KEY (doc_id, rules_hash)
    REFERENCES extractions ON DELETE CASCADE;
ALTER TABLE extraction_quantities ADD FOREIGN KEY (doc_id, rules_hash)
    REFERENCES extractions ON DELETE CASCADE;
ALTER TABLE extraction_metrics ADD FOREIGN KEY (doc_id, rules_hash)
    REFERENCES extractions ON DELETE CASCADE;
-- (doc_id, key) served the per-document key lookups; the primary key now leads with doc_id
DROP INDEX IF EXISTS metrics_doc_key;

CREATE TABLE promotions (
    doc_id      text PRIMARY KEY,
    rules_hash  text NOT NULL,
    promoted_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (doc_id, rules_hash) REFERENCES extractions ON DELETE CASCADE
);
INSERT INTO promotions (doc_id, rules_hash) SELECT doc_id, rules_hash FROM extractions;

CREATE VIEW documents AS
SELECT x.* FROM extractions x JOIN promotions p USING (doc_id, rules_hash);
CREATE VIEW sections AS
SELECT c.* FROM extraction_sections c JOIN promotions p USING (doc_id, rules_hash);
CREATE VIEW citations AS
SELECT c.* FROM extraction_citations c JOIN promotions p USING (doc_id, rules_hash);
CREATE VIEW quantities AS
SELECT c.* FROM extraction_quantities c JOIN promotions p USING (doc_id, rules_hash);
CREATE VIEW metrics AS
SELECT c.* FROM extraction_metrics c JOIN promotions p USING (doc_id, rules_hash);

-- the two analysis views of 001, unchanged, over the promoted versions
CREATE VIEW report_summary AS
SELECT d.doc_id, d.agency, d.region, d.level, d.year, d.title, d.published, d.doc_number,
       d.file_name,
       (SELECT count(*) FROM sections s WHERE s.doc_id = d.doc_id)   AS sections,
       (SELECT count(*) FROM citations c WHERE c.doc_id = d.doc_id)  AS citations,
       (SELECT count(*) FROM quantities q WHERE q.doc_id = d.doc_id) AS quantities,
       count(m.key)                                                  AS metrics,
       max(m.value) FILTER (WHERE m.key = 'inspection.enterprises')    AS inspection_enterprises,
       max(m.value) FILTER (WHERE m.key = 'hazards.found')             AS hazards_found,
       max(m.value) FILTER (WHERE m.key = 'hazards.major')             AS hazards_major,
       max(m.value) FILTER (WHERE m.key = 'hazards.rectified')         AS hazards_rectified,
       max(m.value) FILTER (WHERE m.key = 'cases.filed')               AS cases_filed,
       max(m.value) FILTER (WHERE m.key = 'cases.closed')              AS cases_closed,
       max(m.value) FILTER (WHERE m.key = 'penalties.decisions')       AS penalties_decisions,
       max(m.value) FILTER (WHERE m.key = 'penalties.fines_cny')       AS penalties_fines_cny,
       max(m.value) FILTER (WHERE m.key = 'legal_review.cases')        AS legal_review_cases,
       max(m.value) FILTER (WHERE m.key = 'legal_review.case_files')   AS legal_review_case_files,
       max(m.value) FILTER (WHERE m.key = 'legal_review.contracts')    AS legal_review_contracts,
       max(m.value) FILTER (WHERE m.key = 'disputes.reconsiderations') AS disputes_reconsiderations,
       max(m.value) FILTER (WHERE m.key = 'disputes.litigations')      AS disputes_litigations,
       max(m.value) FILTER (WHERE m.key = 'disputes.hearings')         AS disputes_hearings,
       max(m.value) FILTER (WHERE m.key = 'accidents.count')           AS accidents_count,
       max(m.value) FILTER (WHERE m.key = 'accidents.deaths')          AS accidents_deaths
FROM documents d
LEFT JOIN metrics m ON m.doc_id = d.doc_id
GROUP BY d.doc_id, d.agency, d.region, d.level, d.year, d.title, d.published, d.doc_number,
         d.file_name;

CREATE VIEW metric_by_agency_year AS
SELECT d.agency, d.year, m.key,
       count(DISTINCT m.value) AS facts,
       sum(DISTINCT m.value)   AS total_distinct,
       max(m.value)            AS largest,
       count(DISTINCT d.doc_id) AS reports
FROM metrics m
JOIN documents d ON d.doc_id = m.doc_id
GROUP BY d.agency, d.year, m.key;

-- A dead letter whose report was later stored (re-driven, or dropped again) is resolved,
-- not deleted: the sink marks it when it writes that document.
ALTER TABLE dead_letters ADD COLUMN resolved_at timestamptz;
ALTER TABLE dead_letters ADD COLUMN resolved_doc_id text;
CREATE INDEX dead_letters_open ON dead_letters (doc_id) WHERE resolved_at IS NULL;
