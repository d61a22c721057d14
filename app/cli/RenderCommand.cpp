#include "cli/RenderCommand.h"

#include "PanelFactory.h"
#include "cli/ArgumentParser.h"
#include "common/FigureData.h"
#include "common/FigureExporter.h"
#include "common/FigureTextState.h"
#include "common/InputError.h"
#include "common/Panel.h"
#include "common/Theme.h"
#include "session/SessionFile.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QDir>
#include <QFileInfo>

#include <iostream>
#include <memory>
#include <optional>

using featurescope::InputError;

int RenderCommand::list(const QStringList& panelIds, bool json)
{
    nlohmann::json out = nlohmann::json::object();
    for (const QString& id : panelIds) {
        std::unique_ptr<Panel> panel(PanelFactory::create(id, nullptr));
        nlohmann::json figures = nlohmann::json::array();
        if (!json)
            std::cout << id.toStdString() << " (" << panel->title().toStdString() << ")\n";
        for (const QString& figure : panel->figureNames()) {
            figures.push_back({{"id", figure.toStdString()}, {"title", panel->figureTitle(figure).toStdString()}});
            if (!json)
                std::cout << "  " << figure.leftJustified(24).toStdString() << " " << panel->figureTitle(figure).toStdString()
                          << "\n";
        }
        const QStringList presets = panel->presetIds();
        if (!json && !presets.isEmpty())
            std::cout << "  presets: " << presets.join(QStringLiteral(", ")).toStdString() << "\n";
        nlohmann::json presetList = nlohmann::json::array();
        for (const QString& preset : presets)
            presetList.push_back(preset.toStdString());
        out[id.toStdString()] = {{"title", panel->title().toStdString()}, {"figures", figures}, {"presets", presetList}};
    }
    if (json)
        std::cout << out.dump(2) << "\n";
    return 0;
}

int RenderCommand::run(const std::vector<std::string>& arguments)
{
    ArgumentParser args("render", {{"panel", true, "energy, superposition or features"},
                                   {"figure", true, "one figure of the panel (default: the whole panel)"},
                                   {"out", true, "output file: .png, .pdf or .svg"},
                                   {"width", true, "width in logical pixels (default 1280)"},
                                   {"height", true, "height in logical pixels (default 720)"},
                                   {"scale", true, "pixel scale for PNG (default 1; 2 doubles the pixels)"},
                                   {"inches", true, "page size W,H in inches instead of pixels (13.333,7.5 is a 16:9 slide)"},
                                   {"cm", true, "page size W,H in centimetres instead (33.867,19.05 is a 16:9 slide)"},
                                   {"text-pt", true, "with --inches: tick-label size in points on the page (default 21)"},
                                   {"dpi", true, "with --inches: PNG resolution (default 144)"},
                                   {"transparent", false, "transparent background"},
                                   {"tight", false, "PNG: crop to the drawn content plus a small margin"},
                                   {"theme", true, "light, dark or presentation (default: the session's, else light)"},
                                   {"session", true, "a saved session (.fss): the panel shows its state"},
                                   {"preset", true, "start the panel from one of its presets (see --list)"},
                                   {"list", false, "list each panel's figures (id and title) and presets, then exit"},
                                   {"data", false, "also write the figure's data beside --out: FILE.csv (FILE.npz for colour maps) and "
                                                   "FILE.py, a matplotlib script that redraws it"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    const QString panelId = QString::fromStdString(args.text("panel", "energy"));
    if (!PanelFactory::panelIds().contains(panelId))
        throw InputError("unknown panel '" + panelId.toStdString() + "' (expected " +
                         PanelFactory::panelIds().join(QStringLiteral(", ")).toStdString() + ")");
    if (args.flag("list"))
        return list(args.has("panel") ? QStringList{panelId} : PanelFactory::panelIds(), args.flag("json"));
    if (!args.has("out"))
        throw InputError("--out FILE is required");
    const QString out = QString::fromStdString(args.text("out"));
    if (args.has("inches") && args.has("cm"))
        throw InputError("give the page size once: --inches W,H or --cm W,H");
    const bool page = args.has("inches") || args.has("cm");
    const char* sizeOption = args.has("cm") ? "--cm" : "--inches";
    if (page && (args.has("width") || args.has("height") || args.has("scale")))
        throw InputError(std::string(sizeOption) + " sets the size: leave out --width, --height and --scale (use --dpi for PNG)");
    if (!page && (args.has("text-pt") || args.has("dpi")))
        throw InputError("--text-pt and --dpi need --inches W,H or --cm W,H");
    std::vector<double> inches = args.numberList(args.has("cm") ? "cm" : "inches", {});
    if (args.has("cm"))
        for (double& v : inches)
            v /= 2.54;
    if (page && (inches.size() != 2 || !(inches[0] >= 0.5 && inches[0] <= 100.0) || !(inches[1] >= 0.5 && inches[1] <= 100.0)))
        throw InputError(args.has("cm") ? "option --cm expects W,H between 1.27 and 254 cm, e.g. 33.867,19.05"
                                        : "option --inches expects W,H between 0.5 and 100 inches, e.g. 13.333,7.5");
    const double textPt = args.number("text-pt", 21.0, 4.0, 96.0);
    const double dpi = args.number("dpi", 144.0, 36.0, 1200.0);
    ExportOptions options;
    options.logicalSize = QSize(int(args.integer("width", 1280, 16, 16384)), int(args.integer("height", 720, 16, 16384)));
    options.scale = args.number("scale", 1.0, 0.25, 8.0);

    // The session is read (and fully validated) before anything is drawn; its theme applies unless --theme is given.
    std::optional<featurescope::Session> session;
    std::string sessionPath;
    if (args.has("session")) {
        sessionPath = args.text("session");
        session = featurescope::SessionFile::load(sessionPath);
    }
    const QString themeName = QString::fromStdString(
        args.text("theme", session && !session->theme.empty() ? session->theme : std::string("light")));
    const std::optional<Theme::Id> theme = Theme::fromName(themeName);
    if (!theme)
        throw InputError((args.has("theme") ? std::string() : sessionPath + ": ") + "unknown theme '" +
                         themeName.toStdString() + "' (expected light, dark or presentation)");
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance()))
        Theme::apply(*app, *theme); // before the panel exists, so its widgets start in the theme's palette
    if (page) // the layout size follows the theme's base font, so the page is sized once the theme is set
        options = ExportOptions::forPage(QSizeF(inches[0], inches[1]), textPt, dpi);
    options.transparentBackground = args.flag("transparent");
    options.tight = args.flag("tight");

    std::unique_ptr<Panel> panel(PanelFactory::create(panelId, nullptr));
    if (session) {
        // Restoring shows the saved weights as they are: the panel does not train (prepareForRender then only
        // computes what a session does not store, such as the phase diagram).
        const auto state = session->panels.find(panelId.toStdString());
        if (state == session->panels.end())
            throw InputError(sessionPath + ": the session holds no state for panel '" + panelId.toStdString() + "'");
        if (!state->second.settings.empty() || !state->second.arrays.empty()) {
            try {
                panel->restoreState(state->second);
                FigureTextState::restore(panel.get(), state->second);
            } catch (const InputError& error) {
                throw InputError(sessionPath + ": " + error.what());
            }
        }
    }
    if (args.has("preset")) {
        const QString preset = QString::fromStdString(args.text("preset"));
        if (!panel->selectPreset(preset))
            throw InputError("panel " + panelId.toStdString() + " has no preset '" + preset.toStdString() +
                             "' (presets: " + panel->presetIds().join(QStringLiteral(", ")).toStdString() + ")");
    }
    QWidget* target = panel.get();
    if (!args.has("figure"))
        panel->prepareForRender();
    if (args.has("figure")) {
        const QString figure = QString::fromStdString(args.text("figure"));
        if (!panel->figureNames().contains(figure))
            throw InputError("panel " + panelId.toStdString() + " has no figure '" + figure.toStdString() +
                             "' (figures: " + panel->figureNames().join(QStringLiteral(", ")).toStdString() + ")");
        panel->prepareFigureForRender(figure);
        target = panel->figureWidget(figure);
        if (!target)
            throw InputError("panel " + panelId.toStdString() + " has no figure '" + figure.toStdString() +
                             "' (figures: " + panel->figureNames().join(QStringLiteral(", ")).toStdString() + ")");
        FigureExporter::prepareWidget(panel.get(), options.logicalSize);
    }
    const QString error = FigureExporter::exportWidget(target, out, options);
    if (!error.isEmpty())
        throw InputError(error.toStdString());
    FigureData::Files data;
    if (args.flag("data")) {
        const QFileInfo info(out);
        const QString base = info.dir().filePath(info.completeBaseName());
        const QString figure = QString::fromStdString(args.text("figure", ""));
        const QString dataError =
            FigureData::write(target, base, figure.isEmpty() ? panel->title() : panel->figureTitle(figure), &data);
        if (!dataError.isEmpty())
            throw InputError(dataError.toStdString());
    }
    if (args.flag("json")) {
        nlohmann::json j{{"out", out.toStdString()},
                         {"panel", panelId.toStdString()},
                         {"width", options.logicalSize.width()},
                         {"height", options.logicalSize.height()},
                         {"scale", options.scale},
                         {"page_inches", page ? nlohmann::json::array({inches[0], inches[1]}) : nlohmann::json(nullptr)},
                         {"theme", Theme::name(*theme).toStdString()},
                         {"bytes", QFileInfo(out).size()}};
        if (args.flag("data"))
            j["data"] = {{"csv", data.csv.toStdString()},
                         {"npz", data.npz.isEmpty() ? nlohmann::json(nullptr) : nlohmann::json(data.npz.toStdString())},
                         {"script", data.script.toStdString()}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << "wrote " << out.toStdString() << "\n";
        for (const QString& file : {data.csv, data.npz, data.script})
            if (!file.isEmpty())
                std::cout << "wrote " << file.toStdString() << "\n";
    }
    return 0;
}
