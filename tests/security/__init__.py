"""The hostile-administrator suite (issue 25): each test is an attack that must fail."""
