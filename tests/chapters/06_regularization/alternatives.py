"""Correct answers to chapter 06's exercises written unlike the reference."""

ALTERNATIVES = {
    "scale": {
        "torch.mul": "return torch.mul(x, factor)",
        "a copy scaled in place": "y = x.clone()\ny *= factor\nreturn y",
    },
}
