#include "PanelFactory.h"

#include "common/PlaceholderPanel.h"

QStringList PanelFactory::panelIds()
{
    return {QStringLiteral("superposition"), QStringLiteral("features"), QStringLiteral("energy")};
}

Panel* PanelFactory::create(const QString& id, QWidget* parent)
{
    if (id == QLatin1String("superposition"))
        return new PlaceholderPanel(id, QStringLiteral("Superposition geometry"),
                                    QStringLiteral("Toy models of superposition (Elhage et al. 2022), trained live."),
                                    parent);
    if (id == QLatin1String("features"))
        return new PlaceholderPanel(id, QStringLiteral("Feature activations"),
                                    QStringLiteral("Sparse autoencoders and a feature browser (Bricken et al. 2023)."),
                                    parent);
    if (id == QLatin1String("energy"))
        return new PlaceholderPanel(id, QStringLiteral("Energy bound"),
                                    QStringLiteral("How far real accelerators sit above the Landauer limit."), parent);
    return nullptr;
}
