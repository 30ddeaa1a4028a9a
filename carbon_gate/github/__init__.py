"""Publishing on GitHub: the REST client, the pull request, Actions outputs, the artifact."""
