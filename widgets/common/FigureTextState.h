#pragma once

#include <QString>

class Panel;
namespace featurescope { struct PanelState; }

// The figure-text edits (FigureText overrides) of a panel's figures, carried in its session state under
// settings["figure_text"] = {figure: [{key: text} per plot of the figure]}, so a reopened session and
// `featurescope render --session` draw the edited titles and labels too.
class FigureTextState {
public:
    // Adds the overrides of every figure of `panel` to `state` (nothing when there are none).
    static void save(Panel* panel, featurescope::PanelState& state);
    // Applies the overrides stored in `state` to the panel's figures. Unknown figures, plots and keys are skipped
    // (a newer or older panel may draw differently); a malformed entry throws featurescope::InputError.
    static void restore(Panel* panel, const featurescope::PanelState& state);

    static constexpr const char* kSettingsKey = "figure_text";
};
