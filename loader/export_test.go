package loader

// ReadDocx exposes readDocx to the black-box tests.
var ReadDocx = readDocx
