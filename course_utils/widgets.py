"""Hyperparameter explorers: sliders in a live notebook, small multiples everywhere else.

Introduced in chapter 01 (the class-score explorer). An explorer is a drawing function
``draw(ax, **params)`` plus a description of its controls. In JupyterLab or Colab it becomes
sliders and drop-downs that redraw the figure as they move; where no live front end exists (the
book build, autograding, ``COURSE_STATIC=1``, or ``static=True``) it draws the same function for a
few chosen settings side by side, so the printed book shows what the sliders would.

Works with ipywidgets 7.7 (what Colab ships) and 8 (JupyterLab 4): it uses only ``FloatSlider``,
``IntSlider``, ``Dropdown``, ``Output``, ``HBox``/``VBox`` and ``interactive_output``, which both
versions have with the same arguments. ipywidgets is imported only when a live explorer is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from .device import static_mode
from .plots import small_multiples

__all__ = ["Slider", "Choice", "Explorer", "explore"]


@dataclass(frozen=True)
class Slider:
    """A numeric control.

    Args:
        min: smallest value.
        max: largest value.
        value: the starting value (between ``min`` and ``max``).
        step: the slider's increment; integers everywhere make an integer slider.
        description: the label shown next to it (defaults to the parameter's name).
    """

    min: float
    max: float
    value: float
    step: float = 0.1
    description: str | None = None

    def __post_init__(self) -> None:
        numbers = (self.min, self.max, self.value, self.step)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
            raise TypeError(f"Slider bounds, value and step must be numbers, got {numbers}")
        if not all(math.isfinite(v) for v in numbers):
            raise ValueError(f"Slider bounds, value and step must be finite, got {numbers}")
        if not self.min < self.max:
            raise ValueError(f"Slider needs min < max, got min={self.min}, max={self.max}")
        if not self.min <= self.value <= self.max:
            raise ValueError(
                f"Slider value {self.value} lies outside [{self.min}, {self.max}]"
            )
        if self.step <= 0:
            raise ValueError(f"Slider step must be positive, got {self.step}")

    @property
    def is_int(self) -> bool:
        return all(isinstance(v, int) for v in (self.min, self.max, self.value, self.step))

    def validate(self, name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"setting {name}={value!r} must be a number")
        if not self.min <= value <= self.max:
            raise ValueError(f"setting {name}={value} lies outside [{self.min}, {self.max}]")


@dataclass(frozen=True)
class Choice:
    """A drop-down control.

    Args:
        options: the values to choose from (strings or numbers).
        value: the starting value (defaults to the first option).
        description: the label shown next to it (defaults to the parameter's name).
    """

    options: tuple
    value: Any = None
    description: str | None = None

    def __post_init__(self) -> None:
        options = tuple(self.options)
        if not options:
            raise ValueError("Choice needs at least one option")
        object.__setattr__(self, "options", options)
        if self.value is None:
            object.__setattr__(self, "value", options[0])
        elif self.value not in options:
            raise ValueError(f"Choice value {self.value!r} is not one of {options}")

    def validate(self, name: str, value: Any) -> None:
        if value not in self.options:
            raise ValueError(f"setting {name}={value!r} is not one of {self.options}")


Control = Slider | Choice


class Explorer:
    """A drawing function with controls; see :func:`explore`, which builds and shows one."""

    def __init__(
        self,
        draw: Callable[..., Any],
        controls: Mapping[str, Control],
        *,
        static_settings: Sequence[Mapping[str, Any]] | None = None,
        figsize: tuple[float, float] = (6.4, 3.6),
        continuous_update: bool = True,
        title: str | None = None,
    ) -> None:
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(ax, **params), got {type(draw).__name__}")
        if not controls:
            raise ValueError("an explorer needs at least one control")
        for name, control in controls.items():
            if not isinstance(control, (Slider, Choice)):
                raise TypeError(
                    f"control {name!r} must be a Slider or a Choice, got {type(control).__name__}"
                )
        self.draw = draw
        self.controls = dict(controls)
        self.figsize = figsize
        self.continuous_update = continuous_update
        self.title = title
        defaults = self.defaults()
        settings = [defaults] if static_settings is None else []
        for setting in static_settings or []:
            unknown = set(setting) - set(self.controls)
            if unknown:
                raise ValueError(
                    f"static setting {dict(setting)} names unknown controls {sorted(unknown)}; "
                    f"the controls are {sorted(self.controls)}"
                )
            for name, value in setting.items():
                self.controls[name].validate(name, value)
            settings.append({**defaults, **setting})
        self.static_settings = settings

    def defaults(self) -> dict[str, Any]:
        """The starting value of every control."""
        return {name: control.value for name, control in self.controls.items()}

    def figure(self, **params: Any):
        """Draw one setting (defaults for what is not given) and return the figure."""
        import matplotlib.pyplot as plt

        setting = {**self.defaults(), **params}
        fig, ax = plt.subplots(figsize=self.figsize, layout="constrained")
        self.draw(ax, **setting)
        return fig

    def static_figure(self, *, ncols: int = 3):
        """The small-multiples figure: one panel per static setting."""
        return small_multiples(self.draw, self.static_settings, ncols=ncols, title=self.title)

    def widget(self):
        """Build the live ipywidgets box (sliders above, the redrawn figure below)."""
        import ipywidgets as w
        import matplotlib.pyplot as plt
        from IPython.display import display

        inputs = {}
        for name, control in self.controls.items():
            label = control.description or name
            if isinstance(control, Choice):
                inputs[name] = w.Dropdown(
                    options=list(control.options), value=control.value, description=label
                )
            else:
                cls = w.IntSlider if control.is_int else w.FloatSlider
                inputs[name] = cls(
                    min=control.min,
                    max=control.max,
                    step=control.step,
                    value=control.value,
                    description=label,
                    continuous_update=self.continuous_update,
                )

        def redraw(**params):
            # interactive_output captures what is displayed here into its Output widget
            fig = self.figure(**params)
            display(fig)
            plt.close(fig)

        output = w.interactive_output(redraw, inputs)
        sliders = list(inputs.values())
        rows = [w.HBox(sliders[i : i + 3]) for i in range(0, len(sliders), 3)]
        return w.VBox([*rows, output])


def explore(
    draw: Callable[..., Any],
    controls: Mapping[str, Control],
    *,
    static_settings: Sequence[Mapping[str, Any]] | None = None,
    static: bool | None = None,
    **options: Any,
):
    """Show an interactive explorer, or its static small multiples when there is no front end.

    Args:
        draw: ``draw(ax, **params)`` draws one setting on a matplotlib axes. Keep it fast
            (well under a second on a CPU): it runs on every slider move.
        controls: parameter name -> :class:`Slider` or :class:`Choice`.
        static_settings: the settings shown side by side in the static figure (each a partial
            dict; missing values take the controls' defaults). Default: just the defaults.
        static: force the static figure (True) or the live widget (False). ``None`` (default)
            is static when ``COURSE_STATIC`` is set.
        **options: ``figsize``, ``continuous_update`` and ``title``, passed to :class:`Explorer`.

    Returns:
        The ipywidgets box (live) or the matplotlib figure (static). In a notebook, leave the
        call as the last line of a cell or use ``display``.
    """
    explorer = Explorer(draw, controls, static_settings=static_settings, **options)
    if static is None:
        static = static_mode()
    if static:
        import matplotlib.pyplot as plt

        figure = explorer.static_figure()
        plt.close(figure)  # shown once, as the cell's result, not again by the inline backend
        return figure
    return explorer.widget()
