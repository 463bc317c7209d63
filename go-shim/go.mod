module github.com/gilbert-ts/go-shim

go 1.21

require github.com/go-gilbert/gilbert-sdk v0.9.0

require github.com/mitchellh/mapstructure v1.1.2 // indirect
