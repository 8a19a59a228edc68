// Package static embeds the CSS, JavaScript and images served under /static/.
package static

import "embed"

//go:embed *.css *.js *.svg
var files embed.FS

// FS returns the static files.
func FS() embed.FS { return files }
