// Package docs tests the module's Markdown: every relative link goes to a
// file of the module and, when it names an anchor, to a heading there, and
// the top README links every plugin's README. The documentation is split
// over a README per plugin and docs/, so a moved section must not leave a
// dead link behind. It has no code of its own; the tests are the package.
package docs
