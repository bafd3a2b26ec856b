"""Outside services behind one interface each (bot never imports Rasa or channels/)."""
