-- reportflow schema, migration 1: documents and what was extracted from them.
-- Every child row belongs to one document and is replaced with it, as a whole.

CREATE TABLE documents (
    doc_id            text PRIMARY KEY CHECK (doc_id ~ '^[0-9a-f]{64}$'),
    agency            text,
    region            text,
    level             text,
    year              integer,
    title             text,
    published         date,
    doc_number        text,
    chars             integer,
    file_name         text,
    file_size         bigint,
    encoding          text,
    file_mtime        timestamptz,
    dropped_at        timestamptz,
    produced_at       timestamptz,
    extracted_at      timestamptz NOT NULL,
    extractor_version text,
    rules_name        text,
    rules_version     text,
    raw_topic         text,
    raw_partition     integer,
    raw_offset        bigint,
    stored_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_agency_year ON documents (agency, year);
CREATE INDEX documents_year ON documents (year);

CREATE TABLE sections (
    doc_id     text NOT NULL REFERENCES documents ON DELETE CASCADE,
    ord        integer NOT NULL,
    path       text NOT NULL,
    level      integer NOT NULL,
    number     text,
    heading    text,
    category   text,
    start_char integer,
    end_char   integer,
    PRIMARY KEY (doc_id, ord)
);

CREATE TABLE citations (
    doc_id       text NOT NULL REFERENCES documents ON DELETE CASCADE,
    ord          integer NOT NULL,
    title        text NOT NULL,
    normalized   text NOT NULL,
    kind         text,
    start_char   integer,
    end_char     integer,
    section_path text,
    PRIMARY KEY (doc_id, ord)
);
CREATE INDEX citations_normalized ON citations (normalized);

CREATE TABLE quantities (
    doc_id       text NOT NULL REFERENCES documents ON DELETE CASCADE,
    ord          integer NOT NULL,
    value        numeric NOT NULL,
    unit         text,
    approx       text,
    text         text,
    clause       text,
    start_char   integer,
    end_char     integer,
    section_path text,
    PRIMARY KEY (doc_id, ord)
);
CREATE INDEX quantities_unit ON quantities (unit);

CREATE TABLE metrics (
    doc_id       text NOT NULL REFERENCES documents ON DELETE CASCADE,
    ord          integer NOT NULL,
    key          text NOT NULL,
    value        numeric NOT NULL,
    approx       text,
    unit         text,
    evidence     text,
    start_char   integer,
    end_char     integer,
    section_path text,
    category     text,
    as_of        text,
    yoy_pct      numeric,
    rule_id      text,
    PRIMARY KEY (doc_id, ord)
);
CREATE INDEX metrics_key ON metrics (key);
CREATE INDEX metrics_doc_key ON metrics (doc_id, key);

CREATE TABLE dead_letters (
    id               bigserial PRIMARY KEY,
    stage            text NOT NULL,
    error_code       text,
    error_text       text,
    attempt          integer,
    file_name        text,
    doc_id           text,
    size             bigint,
    payload          bytea,
    source_topic     text,
    source_partition integer,
    source_offset    bigint,
    failed_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_topic, source_partition, source_offset)
);
CREATE INDEX dead_letters_failed_at ON dead_letters (failed_at);

-- One row per report with its core metrics as columns: the largest value
-- stated for each key (a report states several scopes; the largest is the
-- headline), and how many facts it has.
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
GROUP BY d.doc_id;

-- Metric by agency and year: distinct facts, their total and the largest.
CREATE VIEW metric_by_agency_year AS
SELECT d.agency, d.year, m.key,
       count(DISTINCT m.value) AS facts,
       sum(DISTINCT m.value)   AS total_distinct,
       max(m.value)            AS largest,
       count(DISTINCT d.doc_id) AS reports
FROM metrics m
JOIN documents d ON d.doc_id = m.doc_id
GROUP BY d.agency, d.year, m.key;
