-- 019: only the indexes the documented queries use (issue 22).
--
-- Each index costs every row the sink writes. README's queries and the views read
-- extraction_metrics by key (metrics_key, kept) and every child table by document (the primary
-- keys, kept); none reads quantities by unit, and the citation query groups the whole table,
-- which no index on normalized serves. Dropped: one index entry less for each of the ~60
-- quantities and ~20 citations of a report.
DROP INDEX IF EXISTS quantities_unit;
DROP INDEX IF EXISTS citations_normalized;
