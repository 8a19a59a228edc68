package web

import (
	"fmt"
	"html/template"
	"io/fs"
	texttemplate "text/template"
	"text/template/parse"
)

// partials are the shared templates of partials.html, parsed once. Each
// page's template set gets its own copy of only the partials it calls,
// directly or through other partials. Parsing all of them into every set
// made the parse trees of 29 copies most of the process's live heap, which
// the garbage collector marks on every cycle (docs/PERFORMANCE.md).
type partials map[string]*parse.Tree

func loadPartials(fsys fs.FS, funcs template.FuncMap) (partials, error) {
	src, err := fs.ReadFile(fsys, "partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: read partials: %w", err)
	}
	// text/template knows the built-in functions; html/template escapes
	// the copies when their page first runs.
	t, err := texttemplate.New("partials.html").Funcs(texttemplate.FuncMap(funcs)).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("web: parse partials: %w", err)
	}
	p := partials{}
	for _, d := range t.Templates() {
		if d.Name() != "partials.html" && d.Tree != nil {
			p[d.Name()] = d.Tree
		}
	}
	return p, nil
}

// addTo adds to t copies of the partials its templates call, until every
// call is defined or is not a partial (which the escaping check at start-up
// then reports).
func (p partials) addTo(t *template.Template) error {
	for {
		called := map[string]bool{}
		for _, d := range t.Templates() {
			if d.Tree != nil {
				templateCalls(d.Tree.Root, called)
			}
		}
		added := false
		for name := range called {
			tree, ok := p[name]
			if !ok || t.Lookup(name) != nil {
				continue
			}
			if _, err := t.AddParseTree(name, tree.Copy()); err != nil {
				return fmt.Errorf("web: add partial %s: %w", name, err)
			}
			added = true
		}
		if !added {
			return nil
		}
	}
}

// templateCalls adds the names of the templates that n calls to names.
func templateCalls(n parse.Node, names map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			templateCalls(c, names)
		}
	case *parse.IfNode:
		templateCalls(n.List, names)
		templateCalls(n.ElseList, names)
	case *parse.RangeNode:
		templateCalls(n.List, names)
		templateCalls(n.ElseList, names)
	case *parse.WithNode:
		templateCalls(n.List, names)
		templateCalls(n.ElseList, names)
	case *parse.TemplateNode:
		names[n.Name] = true
	}
}
