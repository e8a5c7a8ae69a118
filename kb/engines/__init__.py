"""The search engines kb runs on. Each compiles kb's plan (``kb.plan``) into its own
queries and answers ``kb.view.IndexView``; ``kb.search.SearchCore`` never imports them."""
