// Package templates embeds the HTML templates of the web pages.
package templates

import "embed"

//go:embed *.html
var files embed.FS

// FS returns the template files.
func FS() embed.FS { return files }
