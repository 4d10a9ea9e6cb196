-- 015: the page a fact was read on, and pages read by OCR (issue 21).
--
--   extraction_quantities.page, extraction_metrics.page
--                           the PDF page a number was read on (from 1); NULL for text, HTML
--                           and word-processor documents, and for rows stored before this
--   extractions.ocr_pages   of a PDF's pages, how many were scans read by OCR (tesseract);
--                           a fact read from such a page has its confidence times 0.8
-- The views that expand c.* are made again so that they show the new columns.

ALTER TABLE extraction_quantities ADD COLUMN page integer CHECK (page IS NULL OR page > 0);
ALTER TABLE extraction_metrics ADD COLUMN page integer CHECK (page IS NULL OR page > 0);
ALTER TABLE extractions ADD COLUMN ocr_pages integer CHECK (ocr_pages IS NULL OR ocr_pages >= 0);
COMMENT ON COLUMN extraction_quantities.page IS 'the PDF page it was read on; NULL otherwise';
COMMENT ON COLUMN extraction_metrics.page IS 'the PDF page it was read on; NULL otherwise';
COMMENT ON COLUMN extractions.ocr_pages IS
    'pages of a PDF that were scans read by OCR; NULL for other formats';

CREATE OR REPLACE VIEW documents AS
SELECT x.* FROM extractions x JOIN promotions p USING (doc_id, rules_hash);
CREATE OR REPLACE VIEW quantities AS
SELECT c.* FROM extraction_quantities c JOIN promotions p USING (doc_id, rules_hash);
CREATE OR REPLACE VIEW metrics AS
SELECT c.* FROM extraction_metrics c JOIN promotions p USING (doc_id, rules_hash);
CREATE OR REPLACE VIEW trusted_metrics AS
SELECT m.* FROM metrics m WHERE m.confidence IS NULL OR m.confidence >= 0.95;
