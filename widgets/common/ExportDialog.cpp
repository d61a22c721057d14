#include "ExportDialog.h"

#include "ControlsScrollArea.h"

#include "FigureCaption.h"
#include "FigureData.h"
#include "FigureExporter.h"
#include "FigureText.h"
#include "Panel.h"
#include "Theme.h"
#include "plots/QCustomPlotInclude.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace {
constexpr int kCurrentSize = -1;
constexpr int kCustomSize = -2;

QString formatOf(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png") || suffix == QLatin1String("pdf") || suffix == QLatin1String("svg"))
        return suffix;
    return {};
}

QString fileSafe(QString name)
{
    name = name.toLower();
    for (QChar& c : name)
        if (!c.isLetterOrNumber())
            c = QLatin1Char('-');
    while (name.contains(QLatin1String("--")))
        name.replace(QLatin1String("--"), QLatin1String("-"));
    while (name.endsWith(QLatin1Char('-')))
        name.chop(1);
    return name;
}
} // namespace

QList<ExportDialog::SizePreset> ExportDialog::sizePresets()
{
    // A 16:9 slide is 13.33 × 7.5 in (PowerPoint, Keynote, Google Slides). At 21 pt for tick labels, titles are
    // 25 pt and the smallest text, a log axis's exponents, 14.7 pt: all read from the back of a room.
    return {{tr("16:9 slide, full (13.3 × 7.5 in = 33.9 × 19.1 cm, 21 pt text)"), {}, QSizeF(13.333, 7.5), 21.0},
            {tr("16:9 slide, half width (6.7 × 7.5 in = 16.9 × 19.1 cm, 18 pt text)"), {}, QSizeF(6.667, 7.5), 18.0},
            {tr("Paper, one column (3.5 × 2.6 in = 8.9 × 6.7 cm, 8 pt text)"), {}, QSizeF(3.5, 2.625), 8.0},
            {tr("Screen 1920 × 1080 px"), QSize(1920, 1080), {}, 0.0},
            {tr("Screen 1280 × 720 px"), QSize(1280, 720), {}, 0.0},
            {tr("Square 1080 × 1080 px"), QSize(1080, 1080), {}, 0.0},
            {tr("Current size"), QSize(kCurrentSize, kCurrentSize), {}, 0.0},
            {tr("Custom…"), QSize(kCustomSize, kCustomSize), {}, 0.0}};
}

ExportDialog::ExportDialog(const QList<ExportTarget>& targets, const QString& callerCaption, const QString& directory,
                           const QString& baseName, QWidget* parent)
    : QDialog(parent), m_targets(targets), m_callerCaption(callerCaption), m_directory(directory), m_baseName(baseName)
{
    setWindowTitle(tr("Export Figure"));

    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setToolTip(tr("The figure to export, or the whole panel as it is laid out"));
    for (const ExportTarget& t : m_targets)
        m_target->addItem(t.name);

    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("path"));
    m_path->setToolTip(tr("The format follows the file name: .png, .pdf (vector) or .svg (vector)"));
    m_path->setMinimumWidth(360);
    m_browse = new QPushButton(tr("Browse…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    m_format = new QLabel(this);

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("preset"));
    m_preset->setToolTip(tr("Page sizes give the figure's size in inches and its text in points, as placed on a "
                            "slide or a paper (PNG at 144 dpi); screen sizes are logical pixels, which PNG "
                            "multiplies by the scale"));
    for (int i = 0; i < sizePresets().size(); ++i)
        m_preset->addItem(sizePresets()[i].name, i);
    m_width = new QSpinBox(this);
    m_height = new QSpinBox(this);
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(16, 16384);
        box->setSuffix(tr(" px"));
    }
    m_width->setObjectName(QStringLiteral("width"));
    m_height->setObjectName(QStringLiteral("height"));
    m_width->setValue(1920);
    m_height->setValue(1080);
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(m_height);
    sizeRow->addStretch(1);

    m_scale = new QComboBox(this);
    m_scale->setObjectName(QStringLiteral("scale"));
    m_scale->setToolTip(tr("Pixel scale for PNG and the clipboard: 2 gives a sharp image on high-DPI screens"));
    m_scale->addItem(tr("1×"), 1.0);
    m_scale->addItem(tr("2× (high DPI)"), 2.0);
    m_scale->addItem(tr("3×"), 3.0);
    m_scale->setCurrentIndex(1);

    m_transparent = new QCheckBox(tr("Transparent background"), this);
    m_transparent->setObjectName(QStringLiteral("transparent"));
    m_transparent->setToolTip(tr("Leave the background empty (PNG, SVG and the clipboard)"));
    m_selection = new QCheckBox(tr("Include selection highlight"), this);
    m_selection->setObjectName(QStringLiteral("includeSelection"));
    m_selection->setToolTip(tr("Draw the highlight of the selected feature; off gives a clean figure"));
    m_controlsBox = new QCheckBox(tr("Include the panel's controls"), this);
    m_controlsBox->setObjectName(QStringLiteral("includeControls"));
    m_controlsBox->setToolTip(tr("A whole-panel figure shows its views only unless this is on"));
    m_tightBox = new QCheckBox(tr("Tight: crop to the drawn content (PNG, clipboard)"), this);
    m_tightBox->setObjectName(QStringLiteral("tight"));
    m_tightBox->setToolTip(tr("Cut the empty border off, leaving a small margin, like matplotlib's bbox_inches=\"tight\"; "
                              "PDF and SVG keep their page size"));
    connect(m_tightBox, &QCheckBox::toggled, this, &ExportDialog::schedulePreview);
    m_dataBox = new QCheckBox(tr("Also write the data (CSV, NPZ) and a matplotlib script"), this);
    m_dataBox->setObjectName(QStringLiteral("writeData"));
    m_dataBox->setToolTip(tr("Beside the file: FILE.csv with every plotted point, FILE.npz for colour maps, and "
                             "FILE.py that redraws the figure with matplotlib"));

    m_caption = new QPlainTextEdit(this);
    m_caption->setObjectName(QStringLiteral("caption"));
    m_caption->setReadOnly(true);
    m_caption->setToolTip(tr("The parameters that made this figure, the app version and the date, to paste under it"));
    // Grows into the space beside the figure text rather than a height from today's font metrics: the
    // presentation style sheet enlarges the font after construction.
    m_caption->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_caption->setMinimumHeight(60);
    m_caption->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_copyCaption = new QPushButton(tr("Copy Caption"), this);
    m_copyCaption->setObjectName(QStringLiteral("copyCaption"));
    m_copyCaption->setToolTip(tr("Copy the caption text to the clipboard"));
    auto* captionRow = new QHBoxLayout;
    captionRow->addWidget(m_caption, 1);
    captionRow->addWidget(m_copyCaption, 0, Qt::AlignTop);

    // Right column: the preview and the figure's editable texts.
    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("preview"));
    m_preview->setFixedSize(384, 216);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setToolTip(tr("What the export will look like (reduced)"));
    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(200); // typing in a text field redraws once after a pause, not on every key

    m_textArea = new QWidget;
    m_textLayout = new QVBoxLayout(m_textArea);
    m_textLayout->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("figureTextScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_textArea);
    scroll->setMinimumHeight(240);
    m_resetText = new QPushButton(tr("Reset Text"), this);
    m_resetText->setObjectName(QStringLiteral("resetText"));
    m_resetText->setToolTip(tr("Put back the panel's own titles, labels and legend entries"));
    auto* textBox = new QGroupBox(tr("Figure text"), this);
    textBox->setToolTip(tr("Edits apply to the figure and stay until Reset Text; include units in axis labels"));
    auto* textBoxLayout = new QVBoxLayout(textBox);
    textBoxLayout->addWidget(scroll, 1);
    auto* resetRow = new QHBoxLayout;
    resetRow->addStretch(1);
    resetRow->addWidget(m_resetText);
    textBoxLayout->addLayout(resetRow);

    auto* form = new QFormLayout;
    form->addRow(tr("Figure:"), m_target);
    form->addRow(tr("File:"), pathRow);
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Size:"), m_preset);
    form->addRow(QString(), sizeRow);
    form->addRow(tr("PNG scale:"), m_scale);
    form->addRow(QString(), m_transparent);
    form->addRow(QString(), m_selection);
    form->addRow(QString(), m_controlsBox);
    form->addRow(QString(), m_tightBox);
    form->addRow(QString(), m_dataBox);
    form->addRow(tr("Caption:"), captionRow);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(this);
    m_export = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_export->setDefault(true);
    m_copyImage = buttons->addButton(tr("Copy to Clipboard"), QDialogButtonBox::ActionRole);
    m_copyImage->setToolTip(tr("Copy the figure as a PNG image"));
    buttons->addButton(QDialogButtonBox::Close);

    auto* left = new QVBoxLayout;
    left->addLayout(form, 1);
    left->addWidget(m_status);
    auto* right = new QVBoxLayout;
    right->addWidget(m_preview, 0, Qt::AlignHCenter);
    right->addWidget(textBox, 1);
    auto* columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 0);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(buttons);

    connect(m_target, &QComboBox::currentIndexChanged, this, [this] {
        suggestPath();
        rebuildTextFields();
        updateControls();
    });
    connect(m_resetText, &QPushButton::clicked, this, &ExportDialog::resetText);
    connect(m_previewTimer, &QTimer::timeout, this, &ExportDialog::updatePreview);
    connect(m_path, &QLineEdit::textEdited, this, [this] { m_pathEdited = true; });
    connect(m_path, &QLineEdit::textChanged, this, &ExportDialog::updateControls);
    connect(m_preset, &QComboBox::currentIndexChanged, this, &ExportDialog::updateControls);
    connect(m_width, &QSpinBox::valueChanged, this, &ExportDialog::updateControls);
    connect(m_height, &QSpinBox::valueChanged, this, &ExportDialog::updateControls);
    connect(m_scale, &QComboBox::currentIndexChanged, this, &ExportDialog::updateControls);
    connect(m_transparent, &QCheckBox::toggled, this, &ExportDialog::updateControls);
    connect(m_selection, &QCheckBox::toggled, this, &ExportDialog::updateControls);
    connect(m_controlsBox, &QCheckBox::toggled, this, &ExportDialog::updateControls);
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(
            this, tr("Export Figure"), path(), tr("PNG image (*.png);;PDF document (*.pdf);;SVG image (*.svg)"));
        if (!chosen.isEmpty()) {
            m_pathEdited = true;
            m_path->setText(formatOf(chosen).isEmpty() ? chosen + QStringLiteral(".png") : chosen);
        }
    });
    connect(m_copyCaption, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(caption());
        m_status->setText(tr("Caption copied."));
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (exportToFile().isEmpty())
            accept();
    });
    connect(m_copyImage, &QPushButton::clicked, this, [this] { copyToClipboard(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    suggestPath();
    rebuildTextFields();
    updateControls();
}

void ExportDialog::setPanel(Panel* panel)
{
    m_panel = panel;
    updateControls();
}

QWidget* ExportDialog::targetWidget() const
{
    const int index = m_target->currentIndex();
    return index >= 0 && index < m_targets.size() ? m_targets[index].widget.data() : nullptr;
}

QString ExportDialog::targetName() const { return m_target->currentText(); }

QString ExportDialog::path() const { return m_path->text().trimmed(); }

ExportOptions ExportDialog::options() const
{
    const auto presets = sizePresets();
    const SizePreset& preset = presets[std::clamp(m_preset->currentData().toInt(), 0, int(presets.size()) - 1)];
    ExportOptions options;
    if (!preset.inches.isEmpty()) {
        options = ExportOptions::forPage(preset.inches, preset.tickPt);
    } else if (preset.pixels.width() == kCurrentSize) {
        const QWidget* widget = targetWidget();
        options.logicalSize = widget && widget->width() >= 16 && widget->height() >= 16 ? widget->size() : QSize(1280, 720);
    } else if (preset.pixels.width() == kCustomSize) {
        options.logicalSize = QSize(m_width->value(), m_height->value());
    } else {
        options.logicalSize = preset.pixels;
    }
    if (preset.inches.isEmpty())
        options.scale = m_scale->currentData().toDouble();
    options.transparentBackground = m_transparent->isChecked();
    options.tight = m_tightBox->isChecked();
    options.includeSelection = m_selection->isChecked();
    options.includeControls = m_controlsBox->isChecked();
    return options;
}

QString ExportDialog::caption() const
{
    const ExportOptions o = options();
    QStringList lines;
    if (!m_callerCaption.isEmpty())
        lines.append(m_callerCaption);
    if (m_panel)
        lines.append(FigureCaption::panelLines(m_panel, figureNameOf(m_target->currentIndex())));
    QString exportLine;
    if (!o.pagePoints.isEmpty())
        exportLine = tr("%1 · %2 × %3 in (%4 × %5 cm)")
                         .arg(targetName())
                         .arg(o.pagePoints.width() / 72.0, 0, 'g', 3)
                         .arg(o.pagePoints.height() / 72.0, 0, 'g', 3)
                         .arg(o.pagePoints.width() / 72.0 * 2.54, 0, 'f', 1)
                         .arg(o.pagePoints.height() / 72.0 * 2.54, 0, 'f', 1);
    else
        exportLine = tr("%1 · %2×%3 px").arg(targetName()).arg(o.logicalSize.width()).arg(o.logicalSize.height());
    if (o.pagePoints.isEmpty() && (formatOf(path()) == QLatin1String("png") || formatOf(path()).isEmpty()))
        exportLine += tr(" @%1×").arg(o.scale);
    exportLine += tr(" · theme %1").arg(Theme::name(Theme::current()));
    lines.append(exportLine);
    lines.append(FigureCaption::versionLine());
    return lines.join(QLatin1Char('\n'));
}

QString ExportDialog::figureNameOf(int targetIndex) const
{
    if (!m_panel || targetIndex < 0 || targetIndex >= m_targets.size())
        return {};
    const ExportTarget& target = m_targets[targetIndex];
    const QString id = target.id.isEmpty() ? target.name : target.id;
    if (target.widget == m_panel || !m_panel->figureNames().contains(id))
        return {};
    return id;
}

QList<QLineEdit*> ExportDialog::textFields() const
{
    QList<QLineEdit*> edits;
    for (const TextField& field : m_textFields)
        edits.append(field.edit);
    return edits;
}

int ExportDialog::innermostTarget(const QList<ExportTarget>& targets, const QWidget* widget)
{
    int best = -1;
    for (int i = 0; i < targets.size(); ++i) {
        const QWidget* candidate = targets[i].widget;
        if (!widget || !candidate || (candidate != widget && !candidate->isAncestorOf(widget)))
            continue;
        if (best < 0 || targets[best].widget->isAncestorOf(candidate))
            best = i;
    }
    return best;
}

// A plot's group title: the innermost export target that is or contains it (a figure of the panel), else its
// position within the exported widget.
QString ExportDialog::plotName(QCustomPlot* plot, int index) const
{
    const ExportTarget* best = nullptr;
    for (const ExportTarget& target : m_targets) {
        QWidget* widget = target.widget;
        if (widget && (widget == plot || widget->isAncestorOf(plot)) && (!best || best->widget->isAncestorOf(widget)))
            best = &target;
    }
    if (!best || (best->widget == targetWidget() && best->widget != plot))
        return tr("Plot %1").arg(index + 1);
    return best->name;
}

void ExportDialog::rebuildTextFields()
{
    m_textFields.clear();
    while (QLayoutItem* item = m_textLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const QList<QCustomPlot*> plots = FigureText::plotsIn(targetWidget());
    int index = 0;
    for (QCustomPlot* plot : plots) {
        const QList<FigureTextEntry> entries = FigureText::entries(plot);
        const QString name = plotName(plot, index++);
        if (entries.isEmpty())
            continue;
        auto* group = new QGroupBox(name, m_textArea);
        group->setFlat(true);
        auto* form = new QFormLayout(group);
        form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        for (const FigureTextEntry& entry : entries) {
            auto* edit = new QLineEdit(entry.text, group);
            edit->setObjectName(QStringLiteral("figureText"));
            edit->setProperty("fsFigure", name);
            edit->setProperty("fsKey", entry.key);
            edit->setPlaceholderText(entry.original);
            edit->setToolTip(entry.kind == FigureTextEntry::Kind::AxisLabel
                                 ? tr("Axis label, with units, e.g. \"time (s)\". The panel's text: %1").arg(entry.original)
                                 : tr("The panel's text: %1").arg(entry.original));
            QPointer<QCustomPlot> guard(plot);
            const QString key = entry.key;
            connect(edit, &QLineEdit::textEdited, this, [this, guard, key](const QString& text) {
                if (!guard)
                    return;
                FigureText::setOverride(guard, key, text);
                guard->replot(QCustomPlot::rpQueuedReplot);
                schedulePreview();
            });
            form->addRow(entry.description + QLatin1Char(':'), edit);
            m_textFields.append({guard, key, edit});
        }
        m_textLayout->addWidget(group);
    }
    if (m_textFields.isEmpty()) {
        auto* none = new QLabel(tr("This figure has no editable text."), m_textArea);
        none->setWordWrap(true);
        m_textLayout->addWidget(none);
    }
    m_textLayout->addStretch(1);
    m_resetText->setEnabled(!m_textFields.isEmpty());
}

void ExportDialog::resetText()
{
    for (QCustomPlot* plot : FigureText::plotsIn(targetWidget())) {
        FigureText::reset(plot);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
    rebuildTextFields();
    schedulePreview();
    m_status->setText(tr("Figure text reset to the panel's own."));
}

void ExportDialog::schedulePreview() { m_previewTimer->start(); }

void ExportDialog::updatePreview()
{
    QWidget* widget = targetWidget();
    if (!widget) {
        m_preview->setPixmap({});
        m_preview->setText(tr("No figure"));
        return;
    }
    ExportOptions o = options();
    // Drawn at 1× and smooth-scaled down: the exporter's layout is in logical pixels, and a fractional device
    // pixel ratio below 1 does not shrink what QWidget::render paints.
    o.scale = 1.0;
    QString error;
    const QImage image = FigureExporter::renderImage(widget, o, &error);
    if (image.isNull()) {
        m_preview->setPixmap({});
        m_preview->setText(error);
        return;
    }
    QImage shown = image.scaled(m_preview->size() - QSize(4, 4), Qt::KeepAspectRatio, Qt::SmoothTransformation);
    shown.setDevicePixelRatio(1.0);
    m_preview->setPixmap(QPixmap::fromImage(shown));
}

void ExportDialog::suggestPath()
{
    if (m_pathEdited)
        return;
    const QString suffix = formatOf(path()).isEmpty() ? QStringLiteral("png") : formatOf(path());
    QString name = m_baseName;
    const int index = m_target->currentIndex();
    const bool hasId = index >= 0 && index < m_targets.size() && !m_targets[index].id.isEmpty();
    const QString figure = fileSafe(hasId ? m_targets[index].id : targetName());
    if (!figure.isEmpty())
        name += (name.isEmpty() ? QString() : QStringLiteral("-")) + figure;
    if (name.isEmpty())
        name = QStringLiteral("figure");
    m_path->setText(QDir(m_directory.isEmpty() ? QDir::homePath() : m_directory).filePath(name + QLatin1Char('.') + suffix));
}

void ExportDialog::updateControls()
{
    const SizePreset preset = sizePresets().value(m_preset->currentData().toInt());
    const bool custom = preset.pixels.width() == kCustomSize;
    const bool page = !preset.inches.isEmpty();
    m_width->setEnabled(custom);
    m_height->setEnabled(custom);
    if (!custom) {
        const QSize size = options().logicalSize;
        const QSignalBlocker bw(m_width), bh(m_height);
        m_width->setValue(size.width());
        m_height->setValue(size.height());
    }
    const QString format = formatOf(path());
    m_format->setText(format.isEmpty() ? tr("unknown: end the file name with .png, .pdf or .svg")
                                       : format == QLatin1String("png") ? tr("PNG (raster)")
                                                                        : tr("%1 (vector)").arg(format.toUpper()));
    m_export->setEnabled(!format.isEmpty() && targetWidget());
    m_copyImage->setEnabled(targetWidget() != nullptr);
    bool hasControls = false;
    if (QWidget* target = targetWidget())
        for (QWidget* child : target->findChildren<QWidget*>())
            hasControls = hasControls || qobject_cast<ControlsScrollArea*>(child) ||
                          child->property(FigureExporter::kControlsProperty).toBool();
    m_controlsBox->setEnabled(hasControls);
    m_scale->setEnabled(!page && format != QLatin1String("pdf") && format != QLatin1String("svg"));
    const QString text = caption();
    if (m_caption->toPlainText() != text)
        m_caption->setPlainText(text);
    schedulePreview();
}

void ExportDialog::reportError(const QString& error)
{
    m_status->setText(error);
    if (isVisible())
        QMessageBox::warning(this, tr("Export failed"), error);
}

QString ExportDialog::exportToFile()
{
    QWidget* widget = targetWidget();
    const QString file = path();
    QString error;
    if (!widget)
        error = tr("The figure is no longer available.");
    else if (formatOf(file).isEmpty())
        error = tr("End the file name with .png, .pdf or .svg.");
    else
        error = FigureExporter::exportWidget(widget, file, options());
    if (!error.isEmpty()) {
        reportError(tr("Could not export to %1: %2").arg(file, error));
        return error;
    }
    if (m_dataBox->isChecked()) {
        const QFileInfo info(file);
        const QString dataError = FigureData::write(widget, info.dir().filePath(info.completeBaseName()), targetName());
        if (!dataError.isEmpty()) {
            reportError(tr("Exported %1, but not its data: %2").arg(file, dataError));
            return dataError;
        }
        m_status->setText(tr("Exported %1 with its data and a matplotlib script").arg(file));
        return {};
    }
    m_status->setText(tr("Exported %1").arg(file));
    return {};
}

QString ExportDialog::copyToClipboard()
{
    QWidget* widget = targetWidget();
    QString error;
    QImage image;
    if (!widget)
        error = tr("The figure is no longer available.");
    else
        image = FigureExporter::renderImage(widget, options(), &error);
    if (image.isNull()) {
        if (error.isEmpty())
            error = tr("nothing was drawn");
        reportError(tr("Could not copy the figure: %1").arg(error));
        return error;
    }
    QGuiApplication::clipboard()->setImage(image);
    m_status->setText(tr("Copied a %1×%2 image to the clipboard.").arg(image.width()).arg(image.height()));
    return {};
}
