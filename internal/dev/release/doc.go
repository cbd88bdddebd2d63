// Package release tests what `make dist` ships: the zips' layout, that
// building twice gives the same bytes, and that the real mkr installs the
// zip of this machine's platform into a plugin folder where every plugin
// runs. It has no code of its own; the tests are the package.
package release
