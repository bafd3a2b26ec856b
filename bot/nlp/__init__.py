"""Language processing: the spaCy pipeline builder and entity normalisation."""
