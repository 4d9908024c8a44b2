"""督办 (supervision): what the case store says about how departments perform, and simulated
case histories to try it on. See docs/supervision.md."""
