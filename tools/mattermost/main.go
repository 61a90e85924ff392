// Command mattermost builds the upstream Mattermost server (Team Edition
// code, no `enterprise` build tag) from the Go module proxy, for Pausenhof's
// real-server tests. Upstream's releases are tagged at the repository root,
// so the server module is only reachable by pseudo-version; this wrapper pins
// it (see RELEASE.md) and hands the command line to upstream's CLI.
package main

import (
	"os"

	"github.com/mattermost/mattermost/server/v8/cmd/mattermost/commands"
	// Upstream's main registers the slash commands and the GitLab login
	// provider through these imports; the enterprise import is left out on
	// purpose (Team Edition only).
	_ "github.com/mattermost/mattermost/server/v8/channels/app/oauthproviders/gitlab"
	_ "github.com/mattermost/mattermost/server/v8/channels/app/slashcommands"
)

func main() {
	if err := commands.Run(os.Args[1:]); err != nil {
		os.Exit(1)
	}
}
