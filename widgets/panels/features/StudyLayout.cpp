#include "StudyLayout.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace StudyLayout {

QGridLayout* labelledGrid(QWidget* parent, std::initializer_list<std::pair<QString, QWidget*>> rows)
{
    auto* grid = new QGridLayout;
    grid->setContentsMargins(0, 0, 0, 0);
    int row = 0;
    for (const auto& [text, widget] : rows) {
        auto* label = new QLabel(text, parent);
        label->setToolTip(widget->toolTip());
        label->setBuddy(widget);
        grid->addWidget(label, row, 0);
        grid->addWidget(widget, row++, 1);
    }
    return grid;
}

void arrange(QWidget* view, std::initializer_list<QObject*> formParts, QWidget* results)
{
    auto* form = new QWidget(view);
    form->setMaximumWidth(260);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    for (QObject* part : formParts) {
        if (auto* layout = qobject_cast<QLayout*>(part))
            formLayout->addLayout(layout);
        else if (auto* widget = qobject_cast<QWidget*>(part))
            formLayout->addWidget(widget);
    }
    formLayout->addStretch(1);
    auto* layout = new QHBoxLayout(view);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(form);
    layout->addWidget(results, 1);
}

} // namespace StudyLayout
