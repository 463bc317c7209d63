// The example Gilbert plugin, in the shape go-gilbert/gilbert-plugin-example
// documented: plugin "example-plugin" with one action, "hello-world", that
// logs its `message` param. It is built unchanged with
// `go build -buildmode=plugin` against gilbert-sdk v0.9.0.
package main

import sdk "github.com/go-gilbert/gilbert-sdk"

// GetPluginName is looked up by the host when it opens the plugin.
func GetPluginName() string {
	return "example-plugin"
}

// GetPluginActions lists the actions; the host names them "example-plugin:<action>".
func GetPluginActions() sdk.Actions {
	return sdk.Actions{
		"hello-world": newHelloAction,
	}
}

func newHelloAction(scope sdk.ScopeAccessor, params sdk.ActionParams) (sdk.ActionHandler, error) {
	var p helloParams
	if err := params.Unmarshal(&p); err != nil {
		return nil, err
	}
	return &helloAction{scope: scope, params: p}, nil
}
