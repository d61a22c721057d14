#include "ScaleSliderRow.h"

#include "ScaleLabJob.h"
#include "ScaleLabText.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSlider>

#include <algorithm>
#include <cmath>

using scalelab::tr;

namespace {
constexpr int kStepsPerDecade = 100; // slider value k -> c = 10^((k - 100) / 100)
}

ScaleSliderRow::ScaleSliderRow(QWidget* parent) : QWidget(parent)
{
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, 2 * kStepsPerDecade);
    m_slider->setValue(kStepsPerDecade);
    m_slider->setPageStep(10);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(kStepsPerDecade / 2);
    m_slider->setToolTip(tr("The scale c of W, from 0.1 to 10 on a log scale"));
    m_value = new QLabel(this);
    m_value->setMinimumWidth(90);
    QFont valueFont = m_value->font();
    valueFont.setBold(true);
    m_value->setFont(valueFont);

    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Scale W \u2192 cW:  0.1"), this));
    row->addWidget(m_slider, 1);
    row->addWidget(new QLabel(tr("10"), this));
    row->addSpacing(8);
    row->addWidget(m_value);

    connect(m_slider, &QSlider::valueChanged, this, [this] {
        showValue();
        Q_EMIT scaleChanged(scale());
    });
    m_value->setText(QStringLiteral("c = 1.00"));
}

double ScaleSliderRow::scale() const
{
    return std::pow(10.0, double(m_slider->value() - kStepsPerDecade) / kStepsPerDecade);
}

void ScaleSliderRow::setScale(double c)
{
    if (!std::isfinite(c) || c <= 0.0)
        return;
    const double k =
        std::round(std::log10(std::clamp(c, scalelab::kMinScale, scalelab::kMaxScale)) * kStepsPerDecade) +
        kStepsPerDecade;
    m_slider->setValue(int(k));
}

int ScaleSliderRow::step() const { return m_slider->value(); }

void ScaleSliderRow::setStep(int step)
{
    m_slider->setValue(step);
    showValue(); // the label follows even when the value did not change
}

int ScaleSliderRow::minimumStep() const { return m_slider->minimum(); }
int ScaleSliderRow::maximumStep() const { return m_slider->maximum(); }

void ScaleSliderRow::showValue()
{
    m_value->setText(QStringLiteral("c = %1").arg(QLocale::c().toString(scale(), 'f', scale() < 1.0 ? 3 : 2)));
}
