"""Reading survey and CRM exports into canonical tables (+ the survey codebook)."""
