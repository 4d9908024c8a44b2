"""Cases (办件): the event-sourced case machine, the stores that keep its events, and the desk that works on them."""
