"""Job details as a user reads them: labels and values in words, never Python reprs or raw names."""
from bgjobs.jobs import describe, types
from bgjobs.jobs.types import JobType, Param

CSV = "SKU,Title,Price\nA-1,One,1\nA-2,Two,2\n"


def test_generic_labels_and_values_without_reprs():
    job_type = JobType("t", "T", "", params=(Param("module_id", "int", "The module"),
                                             Param("item_ids", "list[int]", "The items"),
                                             Param("csv", "file", "The file", label="CSV file")))
    shown = dict(job_type.describe({
        "module_id": 3, "item_ids": list(range(1, 26)), "csv": {"name": "prices.csv", "path": "inputs/x/csv", "size": 2048},
        "values": {"title": "Sale", "price": 12.5}, "text": CSV, "flag": True,
    }))
    assert shown == {
        "Module": "3",
        "Items": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (25 in all)",
        "CSV file": "prices.csv (2.0 kB)",
        "Values": "title: Sale; price: 12.5",
        "Text": "SKU,Title,Price … (3 lines)",
        "Flag": "Yes",
    }
    assert not any(c in value for value in shown.values() for c in "[]{}'")


def test_counts_in_words():
    assert describe.counts({"moved": 4, "skipped": {"Published": 4}}) == [("Moved", "4"), ("Skipped", "Published: 4")]


def test_item_types_name_their_module_fields_and_file(app):
    assert types.get("bulk_edit").describe({"module_id": 1, "item_ids": [4, 8], "values": {"title": "X", "price": ""}}) == [
        ("Module", "Products"), ("Items", "2 chosen items (ids 4, 8)"), ("Change", "Title set to “X”; Price cleared")]
    assert types.get("module_export").describe({"module_id": 1, "fields": ["sku", "price"], "format": "xlsx"}) == [
        ("Module", "Products"), ("Fields", "SKU, Price"), ("Format", "XLSX")]
    assert dict(types.get("item_import").describe({"template_id": 1, "filename": "prices.csv",
                                                   "csv": {"name": "x.csv", "path": "inputs/a/csv", "size": 52}})) == {
        "Import template": "Product price list", "File": "prices.csv (52 Bytes)", "Rows": "all or nothing"}
