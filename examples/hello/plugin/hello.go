package main

import sdk "github.com/go-gilbert/gilbert-sdk"

type helloParams struct {
	Message string
}

type helloAction struct {
	scope  sdk.ScopeAccessor
	params helloParams
}

func (a *helloAction) Call(ctx sdk.JobContextAccessor, _ sdk.JobRunner) error {
	ctx.Log().Info(a.params.Message)
	return nil
}

func (a *helloAction) Cancel(ctx sdk.JobContextAccessor) error {
	ctx.Log().Info("Cancel callback call")
	return nil
}
