#pragma once

#include "Panel.h"

// Stands in for a panel that is not built yet and says so plainly.
class PlaceholderPanel : public Panel {
    Q_OBJECT
public:
    PlaceholderPanel(const QString& id, const QString& title, const QString& description, QWidget* parent = nullptr);

    QString title() const override { return m_title; }
    QString panelId() const override { return m_id; }

private:
    QString m_id;
    QString m_title;
};
