-- 010: provenance per fact. A metric row names what decided its key (rule_id:
-- a rule's id, or the keyer model's name when the model chose a key no rule
-- proposed) and, when the keyer model scored it, the model's probability for
-- that key, so an analyst can filter (WHERE confidence >= 0.8). NULL: a rule
-- alone decided (a stated zero, or a rule set without a model).
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS confidence double precision
    CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1));
COMMENT ON COLUMN metrics.confidence IS
    'keyer model probability of the key (0..1); NULL when a rule alone decided';
