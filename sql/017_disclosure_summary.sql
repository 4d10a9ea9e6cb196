-- 017: a summary per report of the disclosure family (issue 25).
--
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
