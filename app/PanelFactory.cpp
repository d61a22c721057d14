#include "PanelFactory.h"

#include "common/PlaceholderPanel.h"
#include "panels/superposition/SuperpositionPanel.h"
#include "panels/EnergyBoundPanel.h"

QStringList PanelFactory::panelIds()
{
    return {QStringLiteral("superposition"), QStringLiteral("features"), QStringLiteral("energy")};
}

Panel* PanelFactory::create(const QString& id, QWidget* parent)
{
    if (id == QLatin1String("superposition"))
        return new SuperpositionPanel(parent);
    if (id == QLatin1String("features"))
        return new PlaceholderPanel(id, QStringLiteral("Feature activations"),
                                    QStringLiteral("Sparse autoencoders and a feature browser (Bricken et al. 2023)."),
                                    parent);
    if (id == QLatin1String("energy"))
        return new EnergyBoundPanel(parent);
    return nullptr;
}
