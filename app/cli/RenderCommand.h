#pragma once

#include "cli/CliCommand.h"

#include <QStringList>

// `featurescope render`: draws a panel or one of its figures to PNG/PDF/SVG without a display.
class RenderCommand : public CliCommand {
public:
    std::string name() const override { return "render"; }
    std::string summary() const override { return "draw a panel or a figure to PNG/PDF/SVG without a display"; }
    std::string usage() const override
    {
        return "featurescope render --panel energy|superposition|features [--figure NAME] --out FILE.png|.pdf|.svg "
               "[--preset ID] [--width W --height H --scale S | --inches W,H | --cm W,H [--text-pt P --dpi D]] [--transparent] "
               "[--data]\n"
               "       featurescope render --list [--panel ID] [--json]";
    }
    bool needsGui() const override { return true; }
    int run(const std::vector<std::string>& arguments) override;

private:
    // `render --list`: each panel's figures (id and human title) and presets.
    static int list(const QStringList& panelIds, bool json);
};
