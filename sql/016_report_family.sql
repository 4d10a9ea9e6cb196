-- 016: the report family each document was read as (issue 25).
--
--   extractions.report_family  the rule set whose family the document belongs to
--                              (envelope document.report_family: gov-disclosure-annual,
--                              cn-emergency-rule-of-law ...); NULL for a document of no known
--                              family, which has sections, citations and quantities but no
--                              metrics, and for rows stored before this
-- The documents view is made again so that it shows the new column.

ALTER TABLE extractions ADD COLUMN report_family text;
COMMENT ON COLUMN extractions.report_family IS
    'the report family (rule set) the document was read as; NULL: none known';

CREATE OR REPLACE VIEW documents AS
SELECT x.* FROM extractions x JOIN promotions p USING (doc_id, rules_hash);
