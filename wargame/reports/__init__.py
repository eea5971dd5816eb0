"""Documents made from finished folders: the HTML report of a batch and the debrief of a
classroom game. They read what a batch or a classroom wrote; they never import the runner."""
