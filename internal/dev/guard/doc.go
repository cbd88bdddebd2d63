// Package guard holds the tests that keep the module's rules as it
// grows: which packages each binary may link, and which layer of
// internal/ may import which. It has no code of its own.
package guard
