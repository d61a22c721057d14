#include "PanelFactory.h"

#include "panels/superposition/SuperpositionPanel.h"
#include "panels/EnergyBoundPanel.h"
#include "panels/features/FeatureActivationsPanel.h"

QStringList PanelFactory::panelIds()
{
    return {QStringLiteral("superposition"), QStringLiteral("features"), QStringLiteral("energy")};
}

Panel* PanelFactory::create(const QString& id, QWidget* parent)
{
    if (id == QLatin1String("superposition"))
        return new SuperpositionPanel(parent);
    if (id == QLatin1String("features"))
        return new FeatureActivationsPanel(parent);
    if (id == QLatin1String("energy"))
        return new EnergyBoundPanel(parent);
    return nullptr;
}
