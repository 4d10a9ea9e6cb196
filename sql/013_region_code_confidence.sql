-- 013: region codes and trusted facts (issue 20).
--
--   extractions.region_code  the division code (GB/T 2260, config/divisions/cn.tsv) of the
--                            agency's region, so analysts group by province and city:
--                            left(region_code, 2) is the province, left(region_code, 4) the city
--   report_summary, metric_by_agency_year
--                            take only facts whose calibrated confidence is at least 0.95
--                            (docs/quality.md: on reports nobody tuned on, 0.95 of such facts
--                            were right); a fact of a rule set without calibration has no
--                            confidence and is taken as before. The metrics view keeps all.

ALTER TABLE extractions ADD COLUMN region_code text
    CHECK (region_code IS NULL OR region_code ~ '^[0-9]{6}$');
COMMENT ON COLUMN extractions.region_code IS
    'division code of the agency''s region (config/divisions/cn.tsv), NULL when unresolved';

DROP VIEW IF EXISTS metric_by_agency_year;
DROP VIEW IF EXISTS report_summary;
-- x.* was expanded when the view was made: made again, it shows the new column
CREATE OR REPLACE VIEW documents AS
SELECT x.* FROM extractions x JOIN promotions p USING (doc_id, rules_hash);

CREATE VIEW trusted_metrics AS
SELECT m.* FROM metrics m WHERE m.confidence IS NULL OR m.confidence >= 0.95;
COMMENT ON VIEW trusted_metrics IS
    'metrics whose calibrated confidence is at least 0.95 (docs/quality.md), or without one';

CREATE VIEW report_summary AS
SELECT d.doc_id, d.agency, d.region, d.region_code, d.level, d.year, d.title, d.published,
       d.doc_number, d.file_name,
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
LEFT JOIN trusted_metrics m ON m.doc_id = d.doc_id
GROUP BY d.doc_id, d.agency, d.region, d.region_code, d.level, d.year, d.title, d.published,
         d.doc_number, d.file_name;

CREATE VIEW metric_by_agency_year AS
SELECT d.agency, d.year, m.key,
       count(DISTINCT m.value) AS facts,
       sum(DISTINCT m.value)   AS total_distinct,
       max(m.value)            AS largest,
       count(DISTINCT d.doc_id) AS reports,
       min(d.region_code)      AS region_code
FROM trusted_metrics m
JOIN documents d ON d.doc_id = m.doc_id
GROUP BY d.agency, d.year, m.key;
