-- 017: a summary per report of the disclosure family (issue 25).
--
--   report_summary      now the reports of every other family (and those stored before
--                       families), as before; a disclosure report's columns are its own view's
--   disclosure_summary  one row per document read as a 政府信息公开工作年度报告
--                       (report_family 'gov-disclosure-annual'): its fields and the
--                       family's core keys (config/rules/gov-disclosure-annual.json,
--                       "core_keys", in order) as columns, from trusted facts only
--                       (confidence >= 0.95 or none, as report_summary); the rule file's
--                       "summary_view" names it, and check_children holds the two together.

CREATE VIEW disclosure_summary AS
SELECT d.doc_id, d.agency, d.region, d.region_code, d.level, d.year, d.title, d.published,
       d.doc_number, d.file_name,
       count(m.key) AS metrics,
       max(m.value) FILTER (WHERE m.key = 'transparency.disclosure_requests') AS transparency_disclosure_requests,
       max(m.value) FILTER (WHERE m.key = 'requests.answered') AS requests_answered,
       max(m.value) FILTER (WHERE m.key = 'requests.disclosed') AS requests_disclosed,
       max(m.value) FILTER (WHERE m.key = 'requests.partly_disclosed') AS requests_partly_disclosed,
       max(m.value) FILTER (WHERE m.key = 'requests.refused') AS requests_refused,
       max(m.value) FILTER (WHERE m.key = 'requests.unavailable') AS requests_unavailable,
       max(m.value) FILTER (WHERE m.key = 'requests.not_processed') AS requests_not_processed,
       max(m.value) FILTER (WHERE m.key = 'requests.carried_out') AS requests_carried_out,
       max(m.value) FILTER (WHERE m.key = 'reconsiderations.total') AS reconsiderations_total,
       max(m.value) FILTER (WHERE m.key = 'lawsuits.direct_total') AS lawsuits_direct_total,
       max(m.value) FILTER (WHERE m.key = 'lawsuits.after_reconsideration_total') AS lawsuits_after_reconsideration_total,
       max(m.value) FILTER (WHERE m.key = 'permits.processed') AS permits_processed,
       max(m.value) FILTER (WHERE m.key = 'penalties.decisions') AS penalties_decisions,
       max(m.value) FILTER (WHERE m.key = 'legal_review.normative_documents') AS legal_review_normative_documents
FROM documents d
LEFT JOIN trusted_metrics m ON m.doc_id = d.doc_id
WHERE d.report_family = 'gov-disclosure-annual'
GROUP BY d.doc_id, d.agency, d.region, d.region_code, d.level, d.year, d.title, d.published,
         d.doc_number, d.file_name;
COMMENT ON VIEW disclosure_summary IS
    'documents of the disclosure family with their core facts as columns (trusted facts only)';

DROP VIEW report_summary;
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
WHERE d.report_family IS DISTINCT FROM 'gov-disclosure-annual'
GROUP BY d.doc_id, d.agency, d.region, d.region_code, d.level, d.year, d.title, d.published,
         d.doc_number, d.file_name;
