"""What each table and column of an export *is*, decided once with its evidence, between reading (`ingest`) and
cleaning (`prepare`): table roles (`tables`), column roles (`columns`), canonical names (`mapping`), date order
(`dates`) and the vocabularies of names (`words`). The draft writes the evidence as comments; validate, prepare,
privacy, personas and leads ask the same decisions rather than guessing again."""
