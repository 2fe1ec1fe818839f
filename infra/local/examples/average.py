"""Average order value per customer."""


def average(values):
    total = 0
    for value in values:
        total += value
    return totl / len(values)


orders = {"ada": [12.5, 30.0, 7.5], "grace": [99.0, 1.0]}
for customer, amounts in orders.items():
    print(f"{customer}: {average(amounts):.2f}")
