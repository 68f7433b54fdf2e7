"""Web-wide pieces: the one error mapper and the vendor route serving npm packages."""
