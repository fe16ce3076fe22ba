""""What am I seeing": a short help text for every view and panel, in the notes' notation (Qt-free).

Each entry: title; what is drawn; the colour scale; how to read it; the formula behind it; texts for
the axis titles and colour bars (shown as their tooltips); and the lesson page that explains it
(lesson file stem, page id). The window shows them on F1 and its ⓘ buttons (rnnviz.app.lessons.help).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Help:
    title: str
    what: str
    colour: str = ""
    read: str = ""
    formula: str = ""
    axes: dict = field(default_factory=dict)      # "left" / "bottom" / "right" / "top" -> tooltip
    colorbar: str = ""
    labels: dict = field(default_factory=dict)    # an axis title's start -> tooltip (a view of several plots)
    lesson: tuple = ()                            # (lesson stem, page id)


HELP: dict[str, Help] = {
    "graph": Help(
        "Unrolled computational graph",
        "The RNN unrolled in time: one column per step t = 1 … T. Rows from the bottom: the input x⟨t⟩, the "
        "hidden state a⟨t⟩ (with a⟨0⟩ = 0 at the left), the prediction ŷ⟨t⟩ and the step's loss L⟨t⟩. Arrows "
        "are the weights: Wax (x → a), Waa (a⟨t−1⟩ → a⟨t⟩), Wya (a → ŷ); the same matrices at every step.",
        "a⟨t⟩ as a strip of its units (blue negative, gold positive). In the backward pass the edges and the "
        "a⟨t⟩ boxes are coloured by ‖∂L/∂a⟨t⟩‖ on a log scale (dark: small, yellow: large). A gated cell adds "
        "its cell state c⟨t⟩ as a belt above a⟨t⟩ and its gates as σ boxes filled to their mean (0 … 1, the "
        "legend's Γ bar); in a short graph (a deep model at 720p) the gates are one thin strip each, in the same "
        "colours: press G (maximise the graph) or drag the divider below it down to get the boxes.",
        "Step with → and ←; the cursor's column is framed. Past step T the backward pass runs from T to 1: "
        "watch how large the gradient stays as it travels left. Click a node to go to its step; hover a Waa "
        "edge to light up the same matrix at every step. Long sequences are drawn as bands.",
        "a⟨t⟩ = g(Waa a⟨t−1⟩ + Wax x⟨t⟩ + ba),  ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by),  L = Σₜ L⟨t⟩",
        # the row names (axis titles) and colour legends painted on the graph, by row and by legend title
        labels={"row:L": "L⟨t⟩ = −log ŷ⟨t⟩[y⟨t⟩]: the loss of each step (the number in its box)",
                "row:y": "ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by): the prediction, its likeliest characters, ✓ on the target",
                "row:a": "a⟨t⟩ = g(Waa a⟨t−1⟩ + Wax x⟨t⟩ + ba): the hidden state, a strip of its units, ‖a⟨t⟩‖ below",
                "row:c": "c⟨t⟩ = Γf ⊙ c⟨t−1⟩ + Γu ⊙ c̃⟨t⟩: the cell state, the belt the gradient travels along",
                "row:gates": "the gates Γ⟨t⟩, each σ(…) between 0 (closed) and 1 (open), filled to their mean",
                "row:x": "x⟨t⟩: the input read at step t (one character, or the numbers)",
                "legend:a⟨t⟩": "the colours of a⟨t⟩'s units: blue negative, white 0, gold positive, up to ± the "
                               "largest value shown",
                "legend:c⟨t⟩": "the colours of c⟨t⟩'s units: blue negative, gold positive, on its own range "
                               "(the cell state is not squashed into −1 … 1)",
                "legend:x⟨t⟩": "the colours of the input numbers x⟨t⟩: blue negative, gold positive",
                "legend:gates": "a gate's mean from 0 (dark: closed) to 1 (bright: open)",
                "legend:Γ": "a gate's mean from 0 (dark: closed) to 1 (bright: open)",
                "legend:ŷ": "ŷ⟨t⟩: in a long sequence's band, the probability of the target (dark 0 … bright 1); "
                            "in narrow nodes, which line is the prediction and which the target",
                "legend:p(": "ŷ⟨t⟩ of the target, dark 0 … bright 1: how sure the network was of the right answer",
                "legend:‖": "the size of the gradient ‖∂L/∂a⟨t⟩‖ reaching each step, on a log scale: dark small, "
                            "yellow large (the edges and the a⟨t⟩ boxes carry it)",
                "legend:x:": "each character has its colour in a band too narrow to write it: zoom in to read it"},
        lesson=("01-forward-pass", "unrolled")),
    "hidden": Help(
        "Hidden states a⟨t⟩",
        "A heatmap of the hidden state: one row per hidden unit (n_a of them), one column per step (for a "
        "gated cell, the cell state c⟨t⟩ and the gates can be chosen too; for deep or bidirectional models, the layer).",
        "Diverging: blue is negative, white 0, gold positive. For tanh the scale is −1 … 1; for ReLU 0 … the largest value.",
        "A column is the network's memory after reading x⟨t⟩ (the inputs are written above). Units that "
        "stay at ±1 are saturated: tanh′ ≈ 0 there, and little gradient passes them.",
        "a⟨t⟩ = g(Waa a⟨t−1⟩ + Wax x⟨t⟩ + ba)",
        axes={"left": "unit i (1 … n_a) of the quantity shown: a⟨t⟩, or c⟨t⟩ or a gate for a gated cell",
              "bottom": "step t", "top": "the input x⟨t⟩ read at each step"},
        colorbar="the value of unit i at step t: a⟨t⟩ and c⟨t⟩ blue negative, white 0, gold positive; "
                 "a gate Γ from 0 (dark, closed) to 1 (bright, open)",
        lesson=("01-forward-pass", "stepping")),
    "outputs": Help(
        "Outputs ŷ⟨t⟩",
        "The prediction at every step: for text, the probability ŷ⟨t⟩ of each character (one row per character), "
        "with the target y⟨t⟩ marked; for numbers, the predicted value against the target.",
        "Sequential: dark is probability 0, bright 1.",
        "A good prediction puts its brightest cell on the marked target. Random weights spread the "
        "probability over all n_y characters.",
        "ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by)",
        axes={"left": "the next character (or the value)", "bottom": "step t"},
        colorbar="ŷ⟨t⟩: the probability the network gives each character",
        lesson=("01-forward-pass", "prediction")),
    "losses": Help(
        "Losses L⟨t⟩",
        "A bar per step: the step's loss L⟨t⟩, and the running sum L⟨1⟩ + … + L⟨t⟩ as a line (right axis).",
        "Bars in one colour; steps without a loss (many-to-one) are left empty; inf/NaN steps are marked.",
        "The sequence's loss is the last value of the running sum. A tall bar is a step the network got badly wrong.",
        "L⟨t⟩ = −log ŷ⟨t⟩[y⟨t⟩] (cross-entropy),  L = Σₜ L⟨t⟩",
        axes={"left": "L⟨t⟩, the loss of step t", "right": "Σ L up to step t", "bottom": "step t"},
        lesson=("01-forward-pass", "total-loss")),
    "gradients": Help(
        "Gradients through time",
        "On a log scale, the size of the gradient at every step: ‖∂L/∂a⟨t⟩‖ (the total loss, blue), "
        "‖∂L⟨T⟩/∂a⟨t⟩‖ (the last step's loss alone, orange), Pascanu's envelope (γσ_max)^(T−t) (dashed) and, "
        "below, the step gain ‖∂a⟨t⟩/∂a⟨t−1⟩‖₂. The verdict is written under the plot.",
        "Each curve has its colour, named in the legend.",
        "Read the orange curve from right (t = T) to left (t = 1): a straight line down is vanishing, up is "
        "exploding; its slope is the factor per step. Gains below 1 shrink the gradient at that step.",
        "∂L⟨T⟩/∂a⟨t⟩ = (∂a⟨t+1⟩/∂a⟨t⟩)ᵀ ⋯ (∂a⟨T⟩/∂a⟨T−1⟩)ᵀ ∂L⟨T⟩/∂a⟨T⟩,  ∂a⟨k⟩/∂a⟨k−1⟩ = diag(g′(z⟨k⟩)) Waa",
        axes={"left": "the norm of the gradient (log scale)", "bottom": "step t"},
        labels={"gain": "the step's gain ‖∂a⟨t⟩/∂a⟨t−1⟩‖₂ (log scale), with γ·σ_max(Waa) and ρ(Waa) as lines: "
                        "below 1 the gradient shrinks at that step"},
        lesson=("03-vanishing", "product")),
    "influence": Help(
        "Influence map",
        "A triangle: row t is the loss of step t, column k the state it reaches; each cell is ‖∂L⟨t⟩/∂a⟨k⟩‖ for k ≤ t.",
        "Magnitude on a log scale: dark is small, bright large; cells with k > t are empty (a loss never reaches a later state).",
        "The diagonal is each loss's own step. How fast a row fades to the left is how far back one loss "
        "reaches: a thin bright band along the diagonal means short memory.",
        "‖∂L⟨t⟩/∂a⟨k⟩‖ = ‖(∂a⟨t⟩/∂a⟨k⟩)ᵀ ∂L⟨t⟩/∂a⟨t⟩‖",
        axes={"left": "the loss L⟨t⟩ of step t", "bottom": "the state a⟨k⟩ its gradient reaches"},
        colorbar="log10 ‖∂L⟨t⟩/∂a⟨k⟩‖",
        lesson=("03-vanishing", "product")),
    "compare": Help(
        "Compare",
        "Two settings on the same sequence on one log axis: the gradient ‖∂L⟨T⟩/∂a⟨t⟩‖ of each, with its verdict.",
        "Each setting has its colour, named in the legend beside its verdict.",
        "Turn compare mode on in the Backprop through time panel. At step 1 the vertical gap between the "
        "curves is how many orders of magnitude more gradient one setting carries back.",
        axes={"left": "the gradient's norm (log scale)", "bottom": "step t"},
        lesson=("05-gated-cells", "compare")),
    "equations": Help(
        "Equations",
        "The current step's equations in the notes' notation, with the numbers of this trace filled in: "
        "forward, z⟨t⟩, a⟨t⟩, ŷ⟨t⟩, L⟨t⟩; backward, the two parts of ∂L/∂a⟨t⟩ and the step through g′.",
        read="Long vectors show their first entries and their norm ‖·‖. Step with → to follow them.",
        formula="dtanh = (1 − a⟨t⟩²) ⊙ da_next,  da_prev = Waaᵀ dtanh,  dWaa += dtanh a⟨t−1⟩ᵀ",
        lesson=("02-bptt", "notes-code")),
    "bptt": Help(
        "Backprop through time",
        "What flows back (the total loss or L⟨T⟩ alone), gradient clipping, compare mode; then the verdict "
        "(vanishing, exploding or stable, with the measured reasons) and the weight gradients ∂L/∂Wax, "
        "∂L/∂Waa, ∂L/∂ba as heatmaps that fill up as the backward pass reaches each step.",
        "The gradient heatmaps: diverging, blue negative, gold positive, one scale for the three.",
        "Each reason of the verdict links to the lesson page that explains it. The sums shown are those "
        "of steps T … t: what BPTT has gathered on reaching step t.",
        "∂L/∂Waa = Σₜ dz⟨t⟩ a⟨t−1⟩ᵀ — the gradient summed into the shared matrix",
        colorbar="the entries of ∂L/∂W summed so far",
        lesson=("02-bptt", "summing")),
    "sequence": Help(
        "Sequence",
        "The text or numbers the RNN reads. Characters: each step reads one and predicts the next. Numbers: "
        "each step reads a value and predicts the next one.",
        read="Everything updates as you type; an invalid entry shows a message and the last good picture stays."),
    "model": Help(
        "Model",
        "The network's settings: hidden size n_a, activation g, loss, architecture, the spectral radius ρ of "
        "Waa and the seed of the random weights.",
        read="ρ is the knob between vanishing (below 1) and exploding (above 1 with ReLU).",
        formula="Waa is scaled so that max |eigenvalue| = ρ",
        lesson=("03-vanishing", "pascanu")),
    "playback": Help(
        "Playback",
        "The timeline: the forward pass t = 1 … T (blue), then the backward pass t = T … 1 (orange).",
        read="→ / ← step, Space plays, Home / End jump to a pass's start or end, B runs BPTT from step T."),
    "lesson": Help(
        "Lesson",
        "The lesson's page: it set the app up, explains what you see with the live numbers of this trace, "
        "and may ask you to do something (the framed hint turns ✓ when done).",
        read="Next / Back or PageDown / PageUp (a presenter remote) turn pages; the arrow keys still step. "
             "Leave keeps everything the lesson set up."),
    "training": Help(
        "Training",
        "What the model trains on (the typed text, a file, names, the adding or copy task), how (optimizer, "
        "learning rate, clipping), ▶ Train / Pause, and the curves: the loss, the gradient's norm and its reach "
        "over the updates, live while training runs; a second model can train beside it. Below, text sampled "
        "from the weights on screen, with the next character's probabilities as bars.",
        "The first model in blue, the second (compare) in orange; the thin line is each update's loss, the bold "
        "one smoothed; ▼ marks the updates clipping changed.",
        "A falling loss is learning; the dashed line is the best constant guess. Spikes in the gradient "
        "norm are what clipping catches; a reach near 0 means the early steps get no gradient.",
        "θ ← θ − η ∇θ L (SGD; Adam scales each step by the gradients' running moments),  "
        "reach = ‖∂L/∂a⟨1⟩‖ / ‖∂L/∂a⟨T⟩‖",
        labels={"loss": "the training loss L of each update (thin) and smoothed (bold); dashed: the "
                        "loss of the best constant guess",
                "‖g‖": "the gradient's global norm ‖g‖ before clipping (log scale); ▼ where clipping changed it",
                "reach": "‖∂L/∂a⟨1⟩‖ / ‖∂L/∂a⟨T⟩‖ (log scale): how much of the gradient gets back to step 1",
                "update": "the update number: one step of the optimizer on a batch",
                "probability": "ŷ of each character as the next one, after the text sampled so far"},
        lesson=("06-long-dependency", "train")),
    "cell": Help(
        "Cell",
        "Inside the gated cell at the current step, for the chosen layer: one bar chart per quantity in the order "
        "the step computes them (LSTM: Γf, Γu, c̃⟨t⟩, c⟨t⟩, Γo, a⟨t⟩; GRU: Γr, z, c̃⟨t⟩, a⟨t⟩), a bar per unit; in "
        "the backward pass also ∂L/∂c⟨t⟩ and ∂L/∂a⟨t⟩. Below, the step's equations with the numbers.",
        "As in the heatmaps: gates from 0 (dark) to 1 (bright); c̃⟨t⟩, c⟨t⟩ and a⟨t⟩ blue negative, gold positive. "
        "The axes stay fixed over the sequence, so stepping shows what changes.",
        "A forget gate Γf near 1 keeps c⟨t−1⟩: the cell state, and its gradient, pass the step almost unchanged. "
        "Γu near 0 writes nothing new; Γo decides how much of c⟨t⟩ shows in a⟨t⟩.",
        "c⟨t⟩ = Γf ⊙ c⟨t−1⟩ + Γu ⊙ c̃⟨t⟩,  a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩)",
        axes={"bottom": "unit i of the cell (1 … n_a)", "left": "the value of the quantity for each unit at this step"},
        lesson=("05-gated-cells", "cell-state")),
}
