/** The gilbert-sdk version Go plugins must be built against to load into gilbert-ts. */
const sdkModule = 'github.com/go-gilbert/gilbert-sdk';
const sdkVersion = 'v0.9.0';

/**
 * Files of `gilbert init --plugin go`: a Go plugin module with the plugin
 * package in ./plugin. The module path is `example.com/<name>`: a bare name
 * can be one Go refuses (a folder named `go` gives `invalid module path`).
 */
export function goPluginFiles(name: string): Record<string, string> {
  return {
    'go.mod': `// Change the module path to your repository's (github.com/you/${name}) before publishing.
module example.com/${name}

go 1.21

require ${sdkModule} ${sdkVersion}

require github.com/mitchellh/mapstructure v1.1.2 // indirect
`,
    // Pinned so that the first build needs no network beyond the module proxy and never edits go.sum.
    'go.sum': `github.com/go-gilbert/gilbert-sdk v0.9.0 h1:25FQs8dFN5hnelqMBhjchBj5CjGwDHbqy3URqLr1XcU=
github.com/go-gilbert/gilbert-sdk v0.9.0/go.mod h1:eOqdAi/px3REjEXWhWx0za7k+ACK/zhfw8/JMWO6eQo=
github.com/mitchellh/mapstructure v1.1.2 h1:fmNYVwqnSfB9mZU6OS2O6GsXM+wcskZDuKQzvN1EDeE=
github.com/mitchellh/mapstructure v1.1.2/go.mod h1:FVVH3fgwuzCH5S8UJGiWEs2h04kUh9fWfEaFds41c1Y=
`,
    'plugin/main.go': `// The ${name} Gilbert plugin, built with \`go build -buildmode=plugin\`.
//
// It must be built by the same Go version as gilbert-ts's Go shim and against
// ${sdkModule} ${sdkVersion}; \`go://\` in gilbert.yaml takes care of that.
package main

import (
	"fmt"

	sdk "${sdkModule}"
)

// GetPluginName is the prefix of this plugin's actions in gilbert.yaml ("${name}:hello").
func GetPluginName() string {
	return "${name}"
}

// GetPluginActions maps each action name to the factory that creates its handler.
func GetPluginActions() sdk.Actions {
	return sdk.Actions{
		"hello": newHelloAction,
	}
}

type helloParams struct {
	Name string
}

type helloAction struct {
	scope  sdk.ScopeAccessor
	params helloParams
}

func newHelloAction(scope sdk.ScopeAccessor, params sdk.ActionParams) (sdk.ActionHandler, error) {
	action := &helloAction{scope: scope, params: helloParams{Name: "world"}}
	if err := params.Unmarshal(&action.params); err != nil {
		return nil, err
	}
	return action, nil
}

// Call runs the action. Params arrive as written in YAML: expand the ones that may hold {{ vars }}.
func (a *helloAction) Call(ctx sdk.JobContextAccessor, _ sdk.JobRunner) error {
	name, err := a.scope.ExpandVariables(a.params.Name)
	if err != nil {
		return err
	}
	ctx.Log().Success(greeting(name))
	return nil
}

// Cancel has nothing to stop: Call never blocks.
func (a *helloAction) Cancel(sdk.JobContextAccessor) error {
	return nil
}

func greeting(name string) string {
	return fmt.Sprintf("Hello, %s!", name)
}

// main is never run; it keeps \`go build ./...\` and \`go vet\` happy with package main.
func main() {}
`,
    'plugin/main_test.go': `package main

import (
	"testing"

	sdk "${sdkModule}"
)

func TestPluginName(t *testing.T) {
	if got := GetPluginName(); got != "${name}" {
		t.Fatalf("plugin name is %q", got)
	}
}

func TestHelloDecodesParams(t *testing.T) {
	handler, err := GetPluginActions()["hello"](nil, sdk.ActionParams{"name": "gopher"})
	if err != nil {
		t.Fatal(err)
	}
	if got := handler.(*helloAction).params.Name; got != "gopher" {
		t.Fatalf("name param decoded as %q", got)
	}
	if _, err := GetPluginActions()["hello"](nil, sdk.ActionParams{"name": []int{1}}); err == nil {
		t.Fatal("a list as name should be rejected")
	}
}

func TestGreeting(t *testing.T) {
	if got := greeting("gopher"); got != "Hello, gopher!" {
		t.Fatalf("greeting is %q", got)
	}
}
`,
    'gilbert.yaml': `version: "1.0"
vars:
  who: Go
plugins:
  # builds ./plugin with the Go toolchain and loads it; add ?rebuild=true to rebuild after edits
  - go://./plugin
tasks:
  hello:
    - description: Greet from the ${name} plugin
      action: ${name}:hello
      params:
        name: "{{ who }}"
  test:
    - description: Run the plugin's tests
      action: shell
      params:
        command: go test ./...
  build-plugin:
    - description: Build the plugin library for distribution
      action: build
      params:
        source: ./plugin
        buildMode: plugin
        outputPath: "{{ BUILD }}/${name}.so"
`,
  };
}
