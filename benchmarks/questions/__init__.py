"""Question evaluation sets: labelled messages from public dialogue-act and treebank corpora (data/),
their loader and scorer (evaluate.py) and the script that rebuilds them from the corpora (build.py).
Tune on the train split only; the heldout split is for reporting."""
