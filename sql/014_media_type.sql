-- 014: what a report was read from (issue 21).
--
--   extractions.media_type  what the raw bytes were, told by their content (text/plain,
--                           text/html, application/pdf, the DOCX, ODT, DOC or RTF type)
--   extractions.converter   the program that made text of a document (pdftotext,
--                           libreoffice); NULL for text and HTML
--   extractions.pages       a PDF's pages
-- Rows stored before this migration have NULL in all three: they were text or HTML.

ALTER TABLE extractions ADD COLUMN media_type text,
                        ADD COLUMN converter text,
                        ADD COLUMN pages integer CHECK (pages IS NULL OR pages > 0);
COMMENT ON COLUMN extractions.media_type IS
    'what the raw bytes were, from their content: text/plain, text/html, application/pdf ...';
COMMENT ON COLUMN extractions.converter IS
    'the program that turned a document into text (pdftotext, libreoffice); NULL for text';
COMMENT ON COLUMN extractions.pages IS 'a PDF''s pages; NULL otherwise';

-- x.* was expanded when the view was made: made again, it shows the new columns (added at
-- its end, so the views built on it stay as they are)
CREATE OR REPLACE VIEW documents AS
SELECT x.* FROM extractions x JOIN promotions p USING (doc_id, rules_hash);
