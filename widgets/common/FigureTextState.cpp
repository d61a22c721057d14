#include "common/FigureTextState.h"

#include "common/FigureText.h"
#include "common/InputError.h"
#include "common/Panel.h"
#include "session/PanelState.h"

void FigureTextState::save(Panel* panel, featurescope::PanelState& state)
{
    nlohmann::json figures = nlohmann::json::object();
    for (const QString& name : panel->figureNames()) {
        QWidget* figure = panel->figureWidget(name);
        if (!figure)
            continue;
        nlohmann::json plots = nlohmann::json::array();
        bool any = false;
        for (QCustomPlot* plot : FigureText::plotsIn(figure)) {
            nlohmann::json texts = nlohmann::json::object();
            const auto overrides = FigureText::overrides(plot);
            for (auto it = overrides.begin(); it != overrides.end(); ++it)
                texts[it.key().toStdString()] = it.value().toStdString();
            any = any || !overrides.isEmpty();
            plots.push_back(texts);
        }
        if (any)
            figures[name.toStdString()] = plots;
    }
    if (!figures.empty())
        state.settings[kSettingsKey] = figures;
}

void FigureTextState::restore(Panel* panel, const featurescope::PanelState& state)
{
    const auto found = state.settings.find(kSettingsKey);
    if (found == state.settings.end())
        return;
    const std::string where = panel->panelId().toStdString() + "." + kSettingsKey;
    if (!found->is_object())
        throw featurescope::InputError(where + " must be an object of figures");
    for (auto figure = found->begin(); figure != found->end(); ++figure) {
        if (!figure->is_array())
            throw featurescope::InputError(where + "." + figure.key() + " must be a list of plots");
        for (const auto& texts : *figure)
            if (!texts.is_object())
                throw featurescope::InputError(where + "." + figure.key() + " holds a plot that is not an object");
            else
                for (auto text = texts.begin(); text != texts.end(); ++text)
                    if (!text->is_string())
                        throw featurescope::InputError(where + "." + figure.key() + "." + text.key() +
                                                       " must be a string");
    }
    for (auto figure = found->begin(); figure != found->end(); ++figure) {
        QWidget* widget = panel->figureWidget(QString::fromStdString(figure.key()));
        if (!widget)
            continue;
        const QList<QCustomPlot*> plots = FigureText::plotsIn(widget);
        for (std::size_t i = 0; i < figure->size() && int(i) < plots.size(); ++i) {
            const auto& texts = (*figure)[i];
            for (auto text = texts.begin(); text != texts.end(); ++text)
                FigureText::setOverride(plots[int(i)], QString::fromStdString(text.key()),
                                        QString::fromStdString(text->get<std::string>()));
        }
    }
}
