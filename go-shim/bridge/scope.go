package bridge

import (
	"os"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// tsScope is sdk.ScopeAccessor backed by a TS Scope: variables and `{{ }}` /
// `{% %}` expansion live in TypeScript, so each method is a request. The
// interface has no error result for most methods: a failed request (JS side
// gone) reads as "not found" / empty, which is what a plugin can handle.
type tsScope struct{ id int64 }

var _ sdk.ScopeAccessor = (*tsScope)(nil)

type scopeArgs struct {
	Scope int64    `json:"scope"`
	Name  string   `json:"name,omitempty"`
	Vars  sdk.Vars `json:"vars,omitempty"`
	Exprs []string `json:"exprs,omitempty"`
}

func (s *tsScope) AppendVariables(vars sdk.Vars) sdk.ScopeAccessor {
	_ = ask("scope.appendVariables", scopeArgs{Scope: s.id, Vars: vars}, nil)
	return s
}

func (s *tsScope) AppendGlobals(vars sdk.Vars) sdk.ScopeAccessor {
	_ = ask("scope.appendGlobals", scopeArgs{Scope: s.id, Vars: vars}, nil)
	return s
}

func (s *tsScope) Global(name string) (string, bool) {
	var out *string
	if ask("scope.global", scopeArgs{Scope: s.id, Name: name}, &out) != nil || out == nil {
		return "", false
	}
	return *out, true
}

func (s *tsScope) Var(name string) (isLocal bool, value string, ok bool) {
	var out *struct {
		IsLocal bool   `json:"isLocal"`
		Value   string `json:"value"`
	}
	if ask("scope.variable", scopeArgs{Scope: s.id, Name: name}, &out) != nil || out == nil {
		return false, "", false
	}
	return out.IsLocal, out.Value, true
}

func (s *tsScope) Vars() sdk.Vars {
	out := sdk.Vars{}
	_ = ask("scope.vars", scopeArgs{Scope: s.id}, &out)
	return out
}

func (s *tsScope) ExpandVariables(expr string) (string, error) {
	var out []string
	if err := ask("scope.expand", scopeArgs{Scope: s.id, Exprs: []string{expr}}, &out); err != nil {
		return "", err
	}
	return out[0], nil
}

// Scan expands all strings in one request (one round trip, not one each).
func (s *tsScope) Scan(values ...*string) error {
	exprs := make([]string, len(values))
	for i, v := range values {
		exprs[i] = *v
	}
	var out []string
	if err := ask("scope.expand", scopeArgs{Scope: s.id, Exprs: exprs}, &out); err != nil {
		return err
	}
	for i, v := range values {
		*v = out[i]
	}
	return nil
}

func (s *tsScope) Environment() sdk.ProjectEnvironment {
	var out struct {
		ProjectDirectory string `json:"projectDirectory"`
	}
	if ask("scope.environment", scopeArgs{Scope: s.id}, &out) != nil {
		out.ProjectDirectory, _ = os.Getwd()
	}
	return sdk.ProjectEnvironment{ProjectDirectory: out.ProjectDirectory}
}

func (s *tsScope) Environ() []string {
	var out []string
	if ask("scope.environ", scopeArgs{Scope: s.id}, &out) != nil {
		return os.Environ()
	}
	return out
}
