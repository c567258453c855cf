"""Place names and plan texts: the offline gazetteer, name normalisation and the plan-text reader."""
