#include "PlaceholderPanel.h"

#include <QLabel>
#include <QVBoxLayout>

PlaceholderPanel::PlaceholderPanel(const QString& id, const QString& title, const QString& description,
                                   QWidget* parent)
    : Panel(parent), m_id(id), m_title(title)
{
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(QStringLiteral("<h2>%1</h2>").arg(title.toHtmlEscaped()), this);
    auto* text = new QLabel(description + QStringLiteral("<p><i>This panel is not built yet.</i></p>"), this);
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    layout->addStretch();
    layout->addWidget(heading, 0, Qt::AlignHCenter);
    layout->addWidget(text, 0, Qt::AlignHCenter);
    layout->addStretch();
}
