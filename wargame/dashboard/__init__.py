"""The browser dashboard (Solara): watch a run on the map and its charts, or play one side
against the computer. It also holds the page server that the classroom shares."""
