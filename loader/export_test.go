package loader

// ReadHTML exposes readHTML to the black-box tests of package loader_test.
var ReadHTML = readHTML
