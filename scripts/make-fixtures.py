#!/usr/bin/env python3
"""Writes the dataset fixtures in Fixtures/datasets/: small samples in the real row schemas of GSM8K,
NuminaMath-CoT and LongBench-v2, with problems and documents written for this project (no rows are copied from
the real datasets). Deterministic: running it again gives the same bytes.

    python3 scripts/make-fixtures.py
"""

import hashlib
import json
import random
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

# GSM8K ---------------------------------------------------------------------------------------------------------
PROBLEMS = [
    ("Mara picks 18 apples on Monday and twice as many on Tuesday. How many apples does she pick in the two days?",
     ["On Tuesday she picks [[tue = 18*2]] apples.",
      "In the two days she picks [[total = 18+tue]] apples."]),
    ("A baker makes 12 trays of rolls with 24 rolls on each tray. He sells 250 rolls. How many rolls are left?",
     ["He makes [[made = 12*24]] rolls.",
      "He has [[left = made-250]] rolls left."]),
    ("Tomas reads 15 pages of his book every evening. The book has 330 pages. How many evenings does he need to "
     "finish it?",
     ["He needs [[evenings = 330/15]] evenings."]),
    ("A farmer has 7 rows of tomato plants with 16 plants in each row. Each plant gives 5 tomatoes. How many "
     "tomatoes does he harvest?",
     ["He has [[plants = 7*16]] plants.",
      "They give [[tomatoes = plants*5]] tomatoes."]),
    ("Lena buys 3 notebooks for $4 each and 2 pens for $1.50 each. She pays with a $20 bill. How much change "
     "does she get?",
     ["The notebooks cost [[$books = 3*4]].",
      "The pens cost [[$pens = 2*1.5]].",
      "She spends [[$spent = books+pens]] in total.",
      "Her change is [[$change = 20-spent]]."]),
    ("A school bus carries 42 students. On the way, 9 students get off at the library and 6 get on at the park. "
     "How many students are on the bus now?",
     ["After the library stop there are [[after = 42-9]] students.",
      "After the park stop there are [[now = after+6]] students."]),
    ("Priya saves $35 each week. How many weeks does she need to save to buy a bicycle that costs $455?",
     ["She needs [[weeks = 455/35]] weeks."]),
    ("A rectangular garden is 14 meters long and 9 meters wide. A fence goes all the way around it. How many "
     "meters of fence are needed?",
     ["Two lengths make [[lengths = 2*14]] meters.",
      "Two widths make [[widths = 2*9]] meters.",
      "The fence is [[fence = lengths+widths]] meters long."]),
    ("Omar has 120 marbles. He gives one quarter of them to his sister and 15 to his friend. How many marbles "
     "does he keep?",
     ["His sister gets [[sister = 120/4]] marbles.",
      "He gives away [[given = sister+15]] marbles.",
      "He keeps [[kept = 120-given]] marbles."]),
    ("A cinema has 18 rows of 22 seats. On Friday night 327 seats are taken. How many seats are empty?",
     ["The cinema has [[seats = 18*22]] seats.",
      "[[empty = seats-327]] seats are empty."]),
    ("Jun walks 2.5 kilometers to school and the same distance back every school day. How many kilometers does "
     "he walk in a 5-day school week?",
     ["Each day he walks [[day = 2.5*2]] kilometers.",
      "In a week he walks [[week = day*5]] kilometers."]),
    ("A box of crayons holds 24 crayons. A teacher buys 15 boxes and shares the crayons equally among 30 "
     "students. How many crayons does each student get?",
     ["She buys [[crayons = 24*15]] crayons.",
      "Each student gets [[each = crayons/30]] crayons."]),
    ("Sofia runs 4 laps of a 400-meter track on Monday, 6 laps on Wednesday and 5 laps on Friday. How many "
     "meters does she run that week?",
     ["She runs [[laps = 4+6+5]] laps.",
      "That is [[meters = laps*400]] meters."]),
    ("A shop sells juice at $3 a bottle. On Saturday it sells 84 bottles and on Sunday 27 fewer than on "
     "Saturday. How much money does it take for juice over the weekend?",
     ["On Sunday it sells [[sun = 84-27]] bottles.",
      "Over the weekend it sells [[bottles = 84+sun]] bottles.",
      "It takes [[$money = bottles*3]]."]),
    ("Ravi is 4 years older than his sister, who is 3 times as old as their 3-year-old cousin. How old is Ravi?",
     ["His sister is [[sister = 3*3]] years old.",
      "Ravi is [[ravi = sister+4]] years old."]),
    ("A water tank holds 1,200 liters. It is 3/4 full, and 240 liters are used for the garden. How many liters "
     "are left in the tank?",
     ["The tank holds [[water = 1200*3/4]] liters.",
      "After watering, [[left = water-240]] liters are left."]),
    ("Elena knits 3 scarves a week. Each scarf uses 2 balls of wool that cost $6 each. How much does she spend on "
     "wool in 8 weeks?",
     ["In 8 weeks she knits [[scarves = 3*8]] scarves.",
      "She needs [[balls = scarves*2]] balls of wool.",
      "The wool costs [[$cost = balls*6]]."]),
    ("A train travels at 80 kilometers per hour for 3 hours and then at 60 kilometers per hour for 2 hours. How "
     "far does it travel?",
     ["In the first part it travels [[first = 80*3]] kilometers.",
      "In the second part it travels [[second = 60*2]] kilometers.",
      "Altogether it travels [[total = first+second]] kilometers."]),
    ("There are 36 children in a class. Two thirds of them have a pet, and half of the pet owners have a dog. How "
     "many children in the class have a dog?",
     ["[[owners = 36*2/3]] children have a pet.",
      "[[dogs = owners/2]] children have a dog."]),
    ("Ben buys 5 packs of stickers with 40 stickers in each. He puts 25 stickers on each page of an album. How "
     "many pages can he fill?",
     ["He has [[stickers = 5*40]] stickers.",
      "He can fill [[pages = stickers/25]] pages."]),
    ("A library had 2,450 books. It bought 380 new books and gave away 125 old ones. How many books does it have "
     "now?",
     ["After buying it had [[bought = 2450+380]] books.",
      "Now it has [[now = bought-125]] books."]),
    ("Hana earns $15 an hour. She works 6 hours on each of 4 days and 3 hours on Saturday. How much does she "
     "earn that week?",
     ["On the four days she works [[hours4 = 6*4]] hours.",
      "She works [[hours = hours4+3]] hours in all.",
      "She earns [[$pay = hours*15]]."]),
    ("A pizza is cut into 8 slices. At a party 6 pizzas are ordered and 41 slices are eaten. How many slices are "
     "left?",
     ["There are [[slices = 6*8]] slices.",
      "[[left = slices-41]] slices are left."]),
    ("Carlos plants 3 trees every day for 2 weeks. Then he plants 5 trees every day for 10 more days. How many "
     "trees does he plant?",
     ["Two weeks are [[days = 2*7]] days.",
      "In those days he plants [[first = days*3]] trees.",
      "Then he plants [[second = 5*10]] trees.",
      "He plants [[total = first+second]] trees."]),
    ("A jar has 60 red beads, 45 blue beads and twice as many green beads as blue beads. How many beads are in "
     "the jar?",
     ["There are [[green = 45*2]] green beads.",
      "The jar has [[beads = 60+45+green]] beads."]),
    ("A printer prints 25 pages a minute. How many minutes does it take to print 30 copies of a 45-page report?",
     ["The copies have [[pages = 30*45]] pages.",
      "Printing takes [[minutes = pages/25]] minutes."]),
    ("Nadia has $500. She spends 20% of it on a jacket and $65 on shoes. How much money does she have left?",
     ["The jacket costs [[$jacket = 500*20/100]].",
      "She spends [[$spent = jacket+65]].",
      "She has [[$left = 500-spent]] left."]),
    ("A parking lot has 5 levels with 48 spaces each. On Monday morning 173 cars are parked. How many more cars "
     "can park?",
     ["The lot has [[spaces = 5*48]] spaces.",
      "[[free = spaces-173]] more cars can park."]),
    ("Yusuf swims 50 meters in 40 seconds. At the same speed, how many seconds does he need to swim 375 meters?",
     ["He swims one meter in [[per = 40/50]] seconds.",
      "For 375 meters he needs [[secs = 375*per]] seconds."]),
    ("An orchard has 14 pear trees. Each tree gives 3 crates of pears, and a crate sells for $18. How much money "
     "does the orchard make from pears?",
     ["The trees give [[crates = 14*3]] crates.",
      "The pears sell for [[$money = crates*18]]."]),
    ("A class collects cans for recycling. The first week they collect 140 cans, the second week 40 more than "
     "the first, and the third week half as many as the second. How many cans do they collect?",
     ["In the second week they collect [[second = 140+40]] cans.",
      "In the third week they collect [[third = second/2]] cans.",
      "They collect [[total = 140+second+third]] cans."]),
    ("Grace buys 4 kilograms of rice at $2.25 per kilogram and 2 kilograms of beans at $3.50 per kilogram. How "
     "much does she spend?",
     ["The rice costs [[$rice = 4*2.25]].",
      "The beans cost [[$beans = 2*3.5]].",
      "She spends [[$total = rice+beans]]."]),
    ("A movie lasts 2 hours and 15 minutes. A cinema shows it 5 times a day with 20 minutes between shows. How "
     "many minutes pass from the start of the first show to the end of the last one?",
     ["The movie lasts [[movie = 2*60+15]] minutes.",
      "Five shows last [[shows = movie*5]] minutes.",
      "There are 4 breaks of 20 minutes, [[breaks = 4*20]] minutes.",
      "In all [[total = shows+breaks]] minutes pass."]),
    ("Ivan has 3 times as many stamps as Mila. Together they have 248 stamps. How many stamps does Ivan have?",
     ["Together they have [[parts = 3+1]] parts, so one part is [[part = 248/parts]] stamps.",
      "Ivan has [[ivan = part*3]] stamps."]),
    ("A bakery uses 3 eggs for every cake. It bakes 16 cakes a day. Eggs come in cartons of 12. How many "
     "cartons does it use in a 6-day week?",
     ["It bakes [[cakes = 16*6]] cakes a week.",
      "It uses [[eggs = cakes*3]] eggs.",
      "That is [[cartons = eggs/12]] cartons."]),
    ("Leo's phone plan costs $25 a month plus $0.10 for each text message over 200. In March he sends 340 "
     "messages. How much is his bill?",
     ["He sends [[extra = 340-200]] extra messages.",
      "They cost [[$texts = extra*0.1]].",
      "His bill is [[$bill = 25+texts]]."]),
    ("A fruit seller has 96 oranges. She sells 3/8 of them in the morning and 25 in the afternoon. How many "
     "oranges are left?",
     ["In the morning she sells [[morning = 96*3/8]] oranges.",
      "She sells [[sold = morning+25]] in all.",
      "[[left = 96-sold]] oranges are left."]),
    ("Amir cycles at 18 kilometers per hour. How many minutes does it take him to cycle 27 kilometers?",
     ["It takes [[hours = 27/18]] hours.",
      "That is [[minutes = hours*60]] minutes."]),
    ("A theater sells adult tickets for $12 and child tickets for $7. On Sunday it sells 65 adult tickets and "
     "90 child tickets. How much money does it take?",
     ["Adult tickets bring [[$adults = 65*12]].",
      "Child tickets bring [[$children = 90*7]].",
      "It takes [[$total = adults+children]]."]),
    ("Zoe is building a fence with posts 3 meters apart along a straight 60-meter path, with a post at each end. "
     "How many posts does she need?",
     ["There are [[gaps = 60/3]] gaps between posts.",
      "She needs [[posts = gaps+1]] posts."]),
    ("A factory makes 450 toys a day. 2% of them fail the safety check. How many toys pass the check in 5 days?",
     ["Each day [[fail = 450*2/100]] toys fail.",
      "Each day [[pass_ = 450-fail]] toys pass.",
      "In 5 days [[total = pass_*5]] toys pass."]),
    ("Maya has 2-liter bottles of lemonade. She pours glasses of 250 milliliters. How many glasses do 3 bottles "
     "fill?",
     ["One bottle holds [[ml = 2*1000]] milliliters.",
      "One bottle fills [[glasses = ml/250]] glasses.",
      "Three bottles fill [[three = glasses*3]] glasses."]),
    ("A gardener mows 5 lawns on Saturday and 7 on Sunday. He charges $28 per lawn and spends $16 on fuel "
     "for the weekend. How much does he keep?",
     ["He mows [[lawns = 5+7]] lawns.",
      "He earns [[$earned = lawns*28]].",
      "He keeps [[$kept = earned-16]]."]),
    ("Three friends share the cost of a $84 gift equally. One of them also pays $9 for wrapping paper. How much "
     "does that friend pay in total?",
     ["Each friend's share is [[$share = 84/3]].",
      "That friend pays [[$total = share+9]]."]),
    ("A bookshelf has 6 shelves. The top 2 shelves hold 28 books each and the others hold 35 books each. How "
     "many books are on the bookshelf?",
     ["The top shelves hold [[top = 2*28]] books.",
      "There are [[others = 6-2]] other shelves holding [[rest = others*35]] books.",
      "The bookshelf holds [[total = top+rest]] books."]),
    ("Dev's aquarium holds 80 liters. He changes 15% of the water every week. How many liters of water does he "
     "change in 6 weeks?",
     ["Each week he changes [[week = 80*15/100]] liters.",
      "In 6 weeks he changes [[total = week*6]] liters."]),
    ("A hiking trail is 15 kilometers long. Kim hikes the first 8 kilometers at 4 kilometers per hour and the rest "
     "at 3.5 kilometers per hour. How many hours does the hike take?",
     ["The first part takes [[first = 8/4]] hours.",
      "The rest is [[rest = 15-8]] kilometers, which takes [[second = rest/3.5]] hours.",
      "The hike takes [[total = first+second]] hours."]),
    ("A candle shop makes 240 candles. It packs them in boxes of 6 and sells each box for $15. How much does it "
     "make if it sells all but 4 boxes?",
     ["It packs [[boxes = 240/6]] boxes.",
      "It sells [[sold = boxes-4]] boxes.",
      "It makes [[$money = sold*15]]."]),
    ("Pablo scores 78, 85 and 92 on three tests. What score does he need on the fourth test for an average of "
     "exactly 86?",
     ["For an average of 86 he needs [[needed = 86*4]] points in all.",
      "So far he has [[sofar = 78+85+92]] points.",
      "He needs [[score = needed-sofar]] on the fourth test."]),
    ("A city park has 9 benches on each of its 4 paths and 13 benches around the fountain. Each bench seats 3 "
     "people. How many people can sit in the park at once?",
     ["The paths have [[paths = 9*4]] benches.",
      "The park has [[benches = paths+13]] benches.",
      "They seat [[people = benches*3]] people."]),
]


# NuminaMath-CoT: (source, problem, solution, expected target) ----------------------------------------------
ROWS = [
    ("synthetic_math",
     r"What is the sum of all positive divisors of $36$?",
     r"""Write $36 = 2^2 \cdot 3^2$. The sum of the divisors of $p^a q^b$ is
$(1 + p + \dots + p^a)(1 + q + \dots + q^b)$.

Here that is $(1 + 2 + 4)(1 + 3 + 9) = 7 \cdot 13 = 91$.

Listing them confirms it: $1 + 2 + 3 + 4 + 6 + 9 + 12 + 18 + 36 = 91$. The answer is $\boxed{91}$.""",
     "91"),
    ("cn_k12",
     r"Given the function $f(x) = 2x^2 - 3x + 1$, find the value of $f(3)$.",
     r"""Substitute $x = 3$ into the function:
$$f(3) = 2 \cdot 3^2 - 3 \cdot 3 + 1 = 18 - 9 + 1 = 10.$$
Therefore, $f(3) = \boxed{10}$.""",
     "10"),
    ("orca_math",
     r"A store sold 45 shirts on Monday. On Tuesday it sold 20% more shirts than on Monday. How many shirts did the "
     r"store sell on Tuesday?",
     r"""On Tuesday the store sold 20% more than 45 shirts.

20% of 45 is $0.20 \times 45 = 9$.

So on Tuesday it sold $45 + 9 = 54$ shirts.

The store sold $\boxed{54}$ shirts on Tuesday.""",
     "54"),
    ("synthetic_math",
     r"Compute $\sin 60^\circ \cdot \cos 30^\circ \cdot \frac{2}{3}$.",
     r"""We know $\sin 60^\circ = \frac{\sqrt{3}}{2}$ and $\cos 30^\circ = \frac{\sqrt{3}}{2}$. Hence
$$\sin 60^\circ \cdot \cos 30^\circ = \frac{3}{4},$$
and multiplying by $\frac{2}{3}$ gives $\frac{3}{4} \cdot \frac{2}{3} = \frac{1}{2}$.

The value is $\boxed{\frac{1}{2}}$.""",
     r"\frac{1}{2}"),
    ("olympiads",
     r"How many positive integers $n \leq 100$ are divisible by $3$ or by $5$?",
     r"""Let $A$ be the multiples of $3$ and $B$ the multiples of $5$ among $1, 2, \ldots, 100$.

1. $|A| = \left\lfloor \frac{100}{3} \right\rfloor = 33$.
2. $|B| = \left\lfloor \frac{100}{5} \right\rfloor = 20$.
3. $A \cap B$ are the multiples of $15$: $|A \cap B| = \left\lfloor \frac{100}{15} \right\rfloor = 6$.

By inclusion and exclusion, $|A \cup B| = 33 + 20 - 6 = 47$.

Conclusion: $\boxed{47}$""",
     "47"),
    ("synthetic_math",
     r"The two legs of a right triangle both have length $3$. What is the length of the hypotenuse?",
     r"""By the Pythagorean theorem the hypotenuse $c$ satisfies $c^2 = 3^2 + 3^2 = 18$.

So $c = \sqrt{18} = \sqrt{9 \cdot 2} = 3\sqrt{2}$.

The hypotenuse has length $\boxed{3\sqrt{2}}$.""",
     r"3\sqrt{2}"),
    ("cn_k12",
     r"In triangle $ABC$, $\angle A = 90^\circ$ and $\angle B = 60^\circ$. Find the value of $\sin B$.",
     r"""Since $\angle B = 60^\circ$, we have $\sin B = \sin 60^\circ$.

In a right triangle with a $60^\circ$ angle, the side opposite that angle is $\sqrt{3}$ times the shorter leg, and
the hypotenuse is twice the shorter leg, so
$$\sin 60^\circ = \frac{\sqrt{3}}{2}.$$

Therefore, the answer is $\boxed{\frac{\sqrt{3}}{2}}$.""",
     r"\frac{\sqrt{3}}{2}"),
    ("math",
     r"In how many ways can $5$ different books be arranged on a shelf if two particular books must stand next to "
     r"each other?",
     r"""Glue the two particular books together into one block. Then we arrange $4$ objects: the block and the other
$3$ books, in $4! = 24$ ways.

Inside the block the two books can be in $2$ orders.

In total there are $24 \cdot 2 = \boxed{48}$ arrangements.""",
     "48"),
    ("synthetic_amc",
     r"If $2^{x} = 32$ and $3^{y} = 81$, what is $x + y$?"
     "\n"
     r"$\textbf{(A)}\ 7 \qquad \textbf{(B)}\ 8 \qquad \textbf{(C)}\ 9 \qquad \textbf{(D)}\ 10 \qquad \textbf{(E)}\ 12$",
     r"""1. Since $32 = 2^5$, we get $x = 5$.
2. Since $81 = 3^4$, we get $y = 4$.
3. Therefore $x + y = 5 + 4 = 9$.

The correct answer is $\boxed{\textbf{(C)}\ 9}$.""",
     r"\textbf{(C)}\ 9"),
    ("orca_math",
     r"The average of five numbers is 18. Four of the numbers are 12, 20, 15 and 25. What is the fifth number?",
     r"""The five numbers add up to $5 \times 18 = 90$.

The four known numbers add up to $12 + 20 + 15 + 25 = 72$.

So the fifth number is $90 - 72 = \boxed{18}$.""",
     "18"),
    ("aops_forum",
     r"Find the remainder when $7^{100}$ is divided by $5$.",
     r"""Since $7 \equiv 2 \pmod 5$, we need $2^{100} \bmod 5$.

We have $2^4 = 16 \equiv 1 \pmod 5$, so $2^{100} = (2^4)^{25} \equiv 1^{25} = 1 \pmod 5$.

The remainder is $\boxed{1}$.""",
     "1"),
    ("cn_k12",
     r"Solve the equation $\log_2(x + 3) = 4$.",
     r"""By the definition of the logarithm, $\log_2(x + 3) = 4$ means $x + 3 = 2^4 = 16$.

Hence $x = 13$. Check: $x + 3 = 16 > 0$, so the logarithm is defined.

The solution is $x = \boxed{13}$.""",
     "13"),
    ("synthetic_math",
     r"What is the least common multiple of $18$, $24$ and $30$?",
     r"""Factor each number: $18 = 2 \cdot 3^2$, $24 = 2^3 \cdot 3$, $30 = 2 \cdot 3 \cdot 5$.

The least common multiple takes the highest power of each prime: $2^3 \cdot 3^2 \cdot 5 = 8 \cdot 9 \cdot 5 = 360$.

Thus the least common multiple is $\boxed{360}$.""",
     "360"),
    ("cn_k12",
     r"Given the line $y = ax + b$ passes through the points $(1, 2)$ and $(3, 10)$."
     "\n"
     r"(1) Find the value of $a$;"
     "\n"
     r"(2) Find the value of $b$.",
     r"""(1) The slope through the two points is
$$a = \frac{10 - 2}{3 - 1} = \frac{8}{2} = 4,$$
so $a = \boxed{4}$.

(2) Substituting the point $(1, 2)$: $2 = 4 \cdot 1 + b$, so $b = 2 - 4 = -2$.

Hence $b = \boxed{-2}$.""",
     "-2"),
    ("math",
     r"Simplify $\frac{3}{4} + \frac{5}{6}$.",
     r"""The least common denominator of $4$ and $6$ is $12$.
$$\frac{3}{4} + \frac{5}{6} = \frac{9}{12} + \frac{10}{12} = \frac{19}{12}.$$
Since $19$ is prime and does not divide $12$, the fraction is in lowest terms: $\boxed{\frac{19}{12}}$.""",
     r"\frac{19}{12}"),
    ("gsm8k",
     r"Tina buys 3 packs of pencils with 12 pencils in each pack. She gives 10 pencils to her classmates. How many "
     r"pencils does she have left?",
     r"""Tina buys $3 \times 12 = 36$ pencils.

After giving away 10 pencils she has $36 - 10 = 26$ pencils left.

$\boxed{26}$""",
     "26"),
    ("synthetic_math",
     r"Evaluate $\sum_{k=1}^{10} (2k - 1)$.",
     r"""The terms are the first ten odd numbers $1, 3, 5, \ldots, 19$.

The sum of the first $n$ odd numbers is $n^2$, so the sum is $10^2 = 100$.

Check with the arithmetic series formula: $\frac{10 \cdot (1 + 19)}{2} = 100$. The answer is $\boxed{100}$.""",
     "100"),
    ("amc_aime",
     r"How many positive integer divisors does $2024$ have?",
     r"""Factor $2024$: $2024 = 8 \cdot 253 = 2^3 \cdot 11 \cdot 23$.

The number of divisors of $p^a q^b r^c$ is $(a + 1)(b + 1)(c + 1)$, which here is $(3 + 1)(1 + 1)(1 + 1) = 16$.

The number $2024$ has $\boxed{16}$ positive divisors.""",
     "16"),
    ("orca_math",
     r"A car travels 165 km in 2 hours. What is its average speed in km/h?",
     r"""Average speed is distance divided by time:
$$\text{speed} = \frac{165 \text{ km}}{2 \text{ h}} = 82.5 \text{ km/h}.$$
The car's average speed is $\boxed{82.5}$ km/h.""",
     "82.5"),
    ("cn_k12",
     r"Find the solution set of the inequality $x^2 - 5x + 6 < 0$.",
     r"""Factor the quadratic: $x^2 - 5x + 6 = (x - 2)(x - 3)$.

The product is negative exactly when $x$ lies strictly between the roots $2$ and $3$.

Therefore, the solution set is $\boxed{(2, 3)}$.""",
     "(2, 3)"),
]


# LongBench-v2 --------------------------------------------------------------------------------------------------
LETTERS = "ABCD"


def sentences(rng, pool, n, **fields):
    """n sentences from pool, none twice in a row, with {placeholders} filled from fields."""
    out, last = [], None
    for _ in range(n):
        s = rng.choice([p for p in pool if p != last])
        last = s
        out.append(s.format(**fields))
    return " ".join(out)


def words(text):
    return len(text.split())


# 1. Financial report -----------------------------------------------------------------------------------------

FIN_POOL = [
    "Order intake remained steady across our main markets, and the order book at the end of the period was in "
    "line with our plans.",
    "Raw material prices eased slightly, although freight costs stayed above the levels we saw two years ago.",
    "We continued to invest in training, and every production site completed its annual safety audit without a "
    "major finding.",
    "Working capital was managed tightly, with inventory days falling as the new planning system settled in.",
    "Customers in the public sector took longer to approve purchases, which moved some deliveries into the "
    "following quarter.",
    "The team completed the move to the new warehouse, which shortens delivery times to customers in the north.",
    "Exchange rates had only a small effect on reported figures, and our hedging policy is unchanged.",
    "Research and development spending stayed at about six percent of revenue, in line with our long-term target.",
    "Headcount grew modestly, mainly in field service engineering and in customer support.",
    "Several long-standing customers renewed their framework agreements for a further three years.",
    "Energy use per unit produced fell again, helped by the solar panels installed on the assembly hall roof.",
    "Pricing discipline was maintained, and discounts granted to distributors were lower than in the prior year.",
]

FIN_OUTLOOK = [
    "The board expects demand to remain resilient, although the timing of large public contracts is hard to "
    "predict.",
    "We will keep a close eye on costs while continuing to invest in the products our customers ask for.",
    "Our balance sheet remains strong, with net cash at the year end and an undrawn credit facility.",
    "The dividend policy is unchanged, and the board proposes a final dividend in line with last year.",
    "We thank our employees for their hard work and our customers and suppliers for their continued support.",
]


def financial(rng):
    company = "Brightwater Instruments plc"
    divisions = ["Marine Sensors", "Laboratory Equipment", "Weather Stations", "Field Services"]
    # Revenue in thousands of pounds per quarter; the leader changes from quarter to quarter.
    revenue = {}
    leaders = {1: "Laboratory Equipment", 2: "Marine Sensors", 3: "Weather Stations", 4: "Laboratory Equipment"}
    for q in range(1, 5):
        values = rng.sample(range(3100, 4400, 37), 4)
        values.sort(reverse=True)
        others = [d for d in divisions if d != leaders[q]]
        rng.shuffle(others)
        revenue[q] = dict(zip([leaders[q]] + others, values))
    parts = [f"{company} — Annual Report and Accounts for the year ended 31 December 2023", "",
             "Chair's statement", "",
             sentences(rng, FIN_POOL, 9), "", sentences(rng, FIN_POOL, 8), ""]
    quarter_names = {1: "first", 2: "second", 3: "third", 4: "fourth"}
    for q in range(1, 5):
        parts += [f"Review of the {quarter_names[q]} quarter", ""]
        for d in divisions:
            margin = rng.randint(9, 21)
            parts.append(
                f"{d}: revenue for the {quarter_names[q]} quarter was £{revenue[q][d]:,} thousand, with an "
                f"operating margin of {margin} percent. " + sentences(rng, FIN_POOL, 4))
            parts.append("")
        parts += [sentences(rng, FIN_POOL, 6), ""]
    parts += ["Principal risks", "", sentences(rng, FIN_POOL, 10), "", "Outlook", "",
              sentences(rng, FIN_OUTLOOK, 5), "", sentences(rng, FIN_POOL, 8)]
    context = "\n".join(parts)
    q3 = revenue[3]
    best = max(q3, key=q3.get)
    assert best == "Weather Stations" and list(q3.values()).count(q3[best]) == 1
    assert f"Weather Stations: revenue for the third quarter was £{q3[best]:,} thousand" in context
    return dict(domain="Single-Document QA", sub_domain="Financial", difficulty="hard", length="short",
                question="Which division of Brightwater Instruments reported the highest revenue in the third "
                         "quarter of 2023?",
                correct="Weather Stations", wrong=["Marine Sensors", "Laboratory Equipment", "Field Services"],
                letter="C", context=context)


# 2. Legal agreement -------------------------------------------------------------------------------------------

LEGAL_POOL = [
    "Each party shall act in good faith in the performance of its obligations under this Agreement.",
    "Nothing in this clause limits any right or remedy that a party may have under the general law.",
    "The Supplier shall keep complete and accurate records relating to the Services for the term of this "
    "Agreement.",
    "Any notice given under this clause shall be in writing and delivered by hand, by registered post or by email "
    "to the address set out in Schedule 1.",
    "The Customer shall provide the Supplier with reasonable access to its premises during normal business hours.",
    "A waiver of any right under this Agreement is only effective if it is given in writing.",
    "The headings in this Agreement are for convenience only and do not affect its interpretation.",
    "The Supplier shall comply with all applicable laws, regulations and codes of practice in providing the "
    "Services.",
    "Each party shall bear its own costs in connection with the negotiation and signature of this Agreement.",
    "References to a statute include that statute as amended or re-enacted from time to time.",
    "The rights and remedies provided under this Agreement are in addition to those provided by law.",
    "Any variation of this Agreement shall be agreed in writing and signed by an authorised representative of "
    "each party.",
]

LEGAL_CLAUSES = [
    ("Definitions and interpretation", []),
    ("Commencement and term", ["This Agreement commences on the Effective Date and continues for an initial term of "
                               "three years, after which it renews automatically for periods of one year."]),
    ("Supply of the Services", []),
    ("Customer obligations", []),
    ("Service levels", ["If the Supplier fails to meet a Service Level in any month, it shall pay service credits "
                        "calculated in accordance with Schedule 3."]),
    ("Charges and payment", ["The Customer shall pay each valid invoice within thirty (30) days of the date of "
                             "receipt."]),
    ("Late payment", ["Interest on late payments accrues daily at four percent a year above the base rate."]),
    ("Intellectual property", []),
    ("Data protection", ["On expiry or termination, the Supplier shall return or destroy all Customer Data within "
                         "ninety (90) days, at the Customer's choice."]),
    ("Confidentiality", ["The obligations in this clause survive for five years after this Agreement ends."]),
    ("Warranties", []),
    ("Limitation of liability", ["Each party's total liability in any contract year shall not exceed the charges "
                                 "paid in that year."]),
    ("Insurance", []),
    ("Force majeure", ["If a force majeure event continues for more than one hundred and twenty (120) days, "
                       "either party may terminate this Agreement by written notice."]),
    ("Termination for breach", ["Either party may terminate this Agreement with immediate effect if the other "
                                "party commits a material breach that it fails to remedy within forty-five (45) "
                                "days of being notified in writing of the breach."]),
    ("Termination for convenience", ["Either party may terminate this Agreement for convenience by giving the "
                                     "other party not less than sixty (60) days' written notice."]),
    ("Consequences of termination", []),
    ("Exit assistance", ["For a period of up to six months after termination the Supplier shall provide "
                         "reasonable exit assistance at the rates in Schedule 2."]),
    ("Subcontracting", []),
    ("Assignment", []),
    ("Dispute resolution", ["A dispute shall first be referred to the parties' contract managers, who shall meet "
                            "within fifteen (15) days to try to resolve it."]),
    ("Audit", []),
    ("Anti-bribery", []),
    ("Entire agreement", []),
    ("Severance", []),
    ("Third party rights", []),
    ("Counterparts", []),
    ("Governing law and jurisdiction", ["This Agreement is governed by the law of England and Wales."]),
]


def legal(rng):
    parts = ["MASTER SERVICES AGREEMENT", "",
             "This Agreement is dated 3 April 2023 and is made between Kestrel Logistics Limited (the Customer) and "
             "Orchard Data Systems Limited (the Supplier).", "",
             "Background: the Customer wishes to obtain, and the Supplier wishes to provide, data hosting and "
             "support services on the terms of this Agreement.", ""]
    for number, (title, specific) in enumerate(LEGAL_CLAUSES, start=1):
        parts.append(f"{number}. {title.upper()}")
        body = [sentences(rng, LEGAL_POOL, 2)] + specific + [sentences(rng, LEGAL_POOL, rng.randint(3, 5))]
        for sub, text in enumerate(body, start=1):
            parts.append(f"{number}.{sub} {text}")
        parts.append("")
    parts += ["SCHEDULE 1 — NOTICE DETAILS", "", sentences(rng, LEGAL_POOL, 6), "",
              "SCHEDULE 2 — CHARGES", "", sentences(rng, LEGAL_POOL, 6), "",
              "SCHEDULE 3 — SERVICE LEVELS", "", sentences(rng, LEGAL_POOL, 8), "",
              "Signed by the authorised representatives of the parties on the date of this Agreement."]
    context = "\n".join(parts)
    assert "terminate this Agreement for convenience by giving the other party not less than sixty (60) days'" \
        in context
    return dict(domain="Single-Document QA", sub_domain="Legal", difficulty="easy", length="short",
                question="Under the agreement between Kestrel Logistics and Orchard Data Systems, how much written "
                         "notice must a party give to terminate the agreement for convenience?",
                correct="60 days", wrong=["30 days", "45 days", "90 days"], letter="B", context=context)


# 3. Detective story -------------------------------------------------------------------------------------------

ROOMS = ["the study", "the library", "the drawing room", "the conservatory", "the billiard room", "the terrace"]
GUESTS = {
    "Colonel Fenwick": ("he", "his"),
    "Mrs. Ashby": ("she", "her"),
    "Doctor Lyle": ("he", "his"),
    "Miss Carrow": ("she", "her"),
    "Mr. Pell": ("he", "his"),
    "Lady Wrenfield": ("she", "her"),
}
ACTIVITIES = [
    "{name} was in {room}, turning the pages of an old atlas without really reading it.",
    "{name} spent the hour in {room}, writing a letter that {pronoun} never finished.",
    "{name} sat in {room} with a cup of coffee that had long gone cold.",
    "{name} was in {room}, talking quietly about the price of land in the valley.",
    "{name} paced up and down {room}, glancing now and then at the clock on the mantelpiece.",
    "{name} stood by the window of {room}, watching the rain drift across the lawn.",
    "{name} was playing patience alone in {room}, and losing.",
]
STORY_POOL = [
    "The wind had risen since dinner, and somewhere upstairs a shutter knocked against the wall.",
    "The maid went round the ground floor with a taper, lighting the lamps one after another.",
    "From the hall came the slow ticking of the long-case clock that nobody had wound for a week.",
    "The fire in the hall had burned down to a red glow, and nobody thought to add another log.",
    "Outside, the gravel drive shone wet under the lamps, and the gardener's dog barked once and fell silent.",
    "The house was old, and its floorboards carried every footstep from one end of the corridor to the other.",
    "A smell of wet leaves and tobacco hung in the passage between the hall and the west wing.",
    "Somebody laughed in another room, and the sound stopped as suddenly as it had begun.",
    "The butler, Hobbs, went down to the cellar for another bottle and came back with cobwebs on his sleeve.",
    "Rain ran down the tall windows in long, uneven streaks.",
]


def detective(rng):
    names = list(GUESTS)
    hours = ["seven", "eight", "nine", "ten"]
    # Where each guest was at each hour. At nine, Miss Carrow is the only one in the study.
    plan = {}
    for hour in hours:
        rooms = {}
        for name in names:
            rooms[name] = rng.choice([r for r in ROOMS if r != "the study"])
        plan[hour] = rooms
    plan["seven"]["Colonel Fenwick"] = "the study"
    plan["eight"]["Doctor Lyle"] = "the study"
    plan["nine"]["Miss Carrow"] = "the study"
    plan["ten"]["Mr. Pell"] = "the study"
    plan["ten"]["Mrs. Ashby"] = "the study"
    parts = ["The Affair at Wrenfield House", "",
             "Lady Wrenfield's diamond brooch had lain in its velvet case on the desk in the study since the "
             "afternoon, when she showed it to her guests before dinner. " + sentences(rng, STORY_POOL, 5), ""]
    for hour in hours:
        parts.append(f"At {hour} o'clock. " + sentences(rng, STORY_POOL, 3))
        order = names[:]
        rng.shuffle(order)
        for name in order:
            pronoun = GUESTS[name][0]
            parts.append(rng.choice(ACTIVITIES).format(name=name, room=plan[hour][name], pronoun=pronoun) + " "
                         + sentences(rng, STORY_POOL, 6))
        parts.append(sentences(rng, STORY_POOL, 8))
        parts.append("")
        if hour == "nine":
            parts.append("When the clock struck nine the brooch was still in its case: Hobbs saw it there as he "
                         "drew the study curtains. " + sentences(rng, STORY_POOL, 4))
            parts.append("")
        if hour == "ten":
            parts.append("At ten o'clock Lady Wrenfield went to the study and found the velvet case empty. "
                         + sentences(rng, STORY_POOL, 5))
            parts.append("")
    parts.append("Inspector Hale arrived the next morning and asked every guest to account for the evening. "
                 + sentences(rng, STORY_POOL, 10))
    for _ in range(6):
        parts.append(sentences(rng, STORY_POOL, 8))
    context = "\n".join(parts)
    in_study_at_nine = [n for n in names if plan["nine"][n] == "the study"]
    assert in_study_at_nine == ["Miss Carrow"]
    return dict(domain="Single-Document QA", sub_domain="Detective", difficulty="hard", length="short",
                question="The brooch vanished from the study between nine and ten o'clock. Which guest was in the "
                         "study during that hour?",
                correct="Miss Carrow", wrong=["Colonel Fenwick", "Doctor Lyle", "Mr. Pell"], letter="A",
                context=context)


# 4. News articles ---------------------------------------------------------------------------------------------

NEWS_POOL = [
    "Residents who spoke to the Courier were broadly positive, though some worried about the cost.",
    "The council said further details would be published on its website in the coming weeks.",
    "Local businesses reported a busy day, with several cafés running out of food by mid-afternoon.",
    "Police said the day passed without any serious incident.",
    "A spokesperson thanked volunteers for giving up their time to help.",
    "The project was first proposed almost ten years ago but stalled for lack of funding.",
    "Opposition councillors said they would continue to press for a full public consultation.",
    "Traffic in the town centre was heavier than usual, and drivers were advised to allow extra time.",
    "The mayor described it as a proud moment for Millbrook.",
    "Organisers said they hoped to make it a regular fixture in the town calendar.",
    "Several schools took part, and pupils produced posters and models for the occasion.",
    "The weather held, with only a brief shower in the late afternoon.",
]

NEWS_EVENTS = [
    ("14 March 2022", "River Mill flood", "Heavy rain pushed the River Mill over its banks on Monday, 14 March 2022, "
     "flooding cellars along Quay Street."),
    ("2 July 2021", "tram line opening", "The first passengers rode the new Millbrook tram line on Friday, 2 July "
     "2021, when the route between the station and the hospital opened to the public."),
    ("19 September 2022", "library closure", "The old Carnegie library on Station Road closed its doors for the "
     "last time on Monday, 19 September 2022, ahead of its move to the new civic centre."),
    ("27 May 2023", "food festival", "The first Millbrook Food Festival filled the market square on Saturday, "
     "27 May 2023, with more than sixty stalls."),
    ("8 November 2021", "bridge reopening", "Mill Lane bridge reopened to traffic on Monday, 8 November 2021, after "
     "eight months of repairs."),
    ("11 January 2023", "school expansion", "Work began on Wednesday, 11 January 2023, on two new classroom blocks "
     "at Hollins Primary School."),
]


def news(rng):
    order = NEWS_EVENTS[:]
    rng.shuffle(order)
    parts = ["A selection of articles from the archive of the Millbrook Courier.", ""]
    for n, (date, title, lead) in enumerate(order, start=1):
        parts += [f"Article {n}. Millbrook Courier, published the day after the event.", "",
                  title[0].upper() + title[1:], "", lead + " " + sentences(rng, NEWS_POOL, 6), "",
                  sentences(rng, NEWS_POOL, 8), "", sentences(rng, NEWS_POOL, 8), "", sentences(rng, NEWS_POOL, 7),
                  ""]
    context = "\n".join(parts)
    assert "on Friday, 2 July 2021" in context
    return dict(domain="Multi-Document QA", sub_domain="Multi-news", difficulty="easy", length="short",
                question="According to the Millbrook Courier articles, which of these events happened first?",
                correct="The opening of the tram line",
                wrong=["The River Mill flood", "The reopening of the Mill Lane bridge", "The closure of the old "
                       "Carnegie library"],
                letter="D", context=context)


# 5. New language translation ----------------------------------------------------------------------------------

ENGLISH_WORDS = (
    "river stone bread window child mountain garden lamp road boat house bird tree door fire water cloud friend "
    "teacher market apple horse village bridge letter song winter summer morning evening forest flower king "
    "queen farmer fisher basket candle wheel table chair sister brother mother father island harbour field wall "
    "key coin ship rope sheep goat milk salt honey"
).split()
VERBS = "sees carries finds opens builds sells gives paints hears follows keeps loses".split()
ADJECTIVES = "red old small quiet bright heavy cold green tall warm".split()


def velari_word(rng, used):
    syllables = ["ka", "lo", "mi", "ren", "sa", "tu", "vel", "ori", "na", "qe", "zu", "dal", "fen", "iro", "pa"]
    while True:
        w = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        if w not in used:
            used.add(w)
            return w


def translation(rng):
    used = set()
    nouns = {e: velari_word(rng, used) for e in ENGLISH_WORDS}
    verbs = {e: velari_word(rng, used) for e in VERBS}
    adjectives = {e: velari_word(rng, used) for e in ADJECTIVES}
    the = "e"
    parts = ["A grammar sketch and word list of Velari, a constructed language.", "",
             "Grammar. Velari sentences put the verb last: subject, then object, then verb. Every noun is preceded "
             f"by the article '{the}'. An adjective follows the noun it describes. There is no plural; number is "
             "understood from context.", "", "Nouns:"]
    parts += [f"{v} — {e}" for e, v in nouns.items()]
    parts += ["", "Verbs:"] + [f"{v} — {e}" for e, v in verbs.items()]
    parts += ["", "Adjectives:"] + [f"{v} — {e}" for e, v in adjectives.items()]
    parts += ["", "Example sentences with their translations:"]

    def sentence(s, adj, o, verb):
        velari = f"{the} {nouns[s]} {adjectives[adj]} {the} {nouns[o]} {verbs[verb]}"
        english = f"The {adj} {s} {verb} the {o}."
        return velari, english

    for _ in range(190):
        s, o = rng.sample(ENGLISH_WORDS, 2)
        v, e = sentence(s, rng.choice(ADJECTIVES), o, rng.choice(VERBS))
        parts.append(f"{v.capitalize()}. — {e}")
    question_velari, correct = sentence("farmer", "old", "basket", "carries")
    parts += ["", "Notes. Velari has no word for 'a'; the article is used for both 'the' and 'a' in translation. "
              "Questions are formed by adding 'na' at the end of a statement."]
    context = "\n".join(parts)
    for english in ("farmer", "basket"):
        assert f"{nouns[english]} — {english}" in context
    assert f"{verbs['carries']} — carries" in context and f"{adjectives['old']} — old" in context
    return dict(domain="Long In-context Learning", sub_domain="New language translation", difficulty="hard",
                length="short",
                question=f"Using the grammar and word list, translate the Velari sentence '{question_velari}' into "
                         "English.",
                correct=correct, wrong=["The old basket carries the farmer.", "The farmer carries the old basket.",
                                        "The old farmer sells the basket."],
                letter="A", context=context)


# 6. Dialogue history ------------------------------------------------------------------------------------------

DIALOGUE_TOPICS = {
    "cooking": [
        ("What can I make for dinner with lentils, carrots and an onion?",
         "A simple lentil stew works well: soften the onion, add the carrots and lentils, cover with stock and "
         "simmer for about thirty minutes. Season at the end, and a squeeze of lemon brightens it."),
        ("How long should I rest bread dough before baking?",
         "For most loaves, let the dough rise until roughly doubled, usually one to two hours at room temperature, "
         "then shape it and give it a shorter second rise before baking."),
        ("Is it fine to freeze cooked rice?",
         "Yes, if you cool it quickly and freeze it within an hour or so. Reheat it until it is steaming hot all "
         "the way through."),
    ],
    "travel": [
        ("I'm planning a weekend by the coast. Any tips for packing light?",
         "Pick one colour scheme so everything matches, take layers rather than bulky items, and limit yourself to "
         "two pairs of shoes."),
        ("What is a good way to avoid jet lag?",
         "Shift your sleep gradually before you travel, get daylight at your destination in the morning, and avoid "
         "long naps on the first day."),
        ("Should I book train tickets early?",
         "On many routes advance tickets are much cheaper, so booking a few weeks ahead usually pays off."),
    ],
    "gardening": [
        ("When should I plant tulip bulbs?",
         "Plant them in autumn, once the soil has cooled, at a depth of about two to three times the height of the "
         "bulb."),
        ("My tomato leaves are turning yellow at the bottom. Is that bad?",
         "Some yellowing of the lowest leaves is normal as the plant grows. If it spreads upward, check watering and "
         "consider a balanced feed."),
        ("How often should I water a cactus?",
         "Far less than most plants: water deeply, then let the soil dry out completely before watering again."),
    ],
    "work": [
        ("How do I write a short status update for my manager?",
         "Keep it to three parts: what you finished, what you are working on next, and anything that is blocking "
         "you."),
        ("Any advice on running a shorter meeting?",
         "Send an agenda in advance, start on time, and end with a clear list of who does what by when."),
        ("How can I stop checking email all day?",
         "Set two or three fixed times for email, turn off notifications in between, and tell colleagues how to "
         "reach you if something is urgent."),
    ],
}

PET_SESSIONS = [
    ("My neighbour's spaniel, Rolo, keeps digging under our fence. How can I stop it politely?",
     "Talk to your neighbour first, then consider a strip of paving or mesh buried along the base of the fence."),
    ("We just adopted a cat called Biscuit. How do I introduce her to the house?",
     "Start with one quiet room with food, water and a litter tray, and let her explore the rest of the house "
     "gradually."),
    ("My own dog, Pepper, is scared of thunder. What can I do during storms?",
     "Give Pepper a den-like hiding place, stay calm yourself, and try playing low background sound to mask the "
     "thunder."),
    ("My sister is thinking of naming her new puppy Juniper. Is that a good dog name?",
     "Juniper is a lovely name: it is short enough to call out and unlikely to be confused with common commands."),
]


def dialogue(rng):
    parts = ["Conversation history between a user and an AI assistant, in sessions.", ""]
    topics = list(DIALOGUE_TOPICS)
    pet_sessions = {3: PET_SESSIONS[0], 7: PET_SESSIONS[2], 11: PET_SESSIONS[1], 15: PET_SESSIONS[3]}
    for session in range(1, 19):
        parts.append(f"Session {session}")
        exchanges = []
        for _ in range(4):
            topic = rng.choice(topics)
            exchanges.append(rng.choice(DIALOGUE_TOPICS[topic]))
        if session in pet_sessions:
            exchanges.insert(rng.randint(0, len(exchanges)), pet_sessions[session])
        for user, assistant in exchanges:
            parts += [f"User: {user}", f"Assistant: {assistant}"]
        parts.append("")
    context = "\n".join(parts)
    assert "My own dog, Pepper" in context
    return dict(domain="Long-dialogue History Understanding", sub_domain="Dialogue history QA", difficulty="easy",
                length="short",
                question="What is the name of the user's own dog?",
                correct="Pepper", wrong=["Rolo", "Biscuit", "Juniper"], letter="C", context=context)


# 7. Code repository -------------------------------------------------------------------------------------------

def code_repo(rng):
    files = []
    helpers = []
    quantities = ["pressure", "humidity", "wind_speed", "wind_direction", "rainfall", "snow_depth", "visibility",
                  "cloud_cover", "dew_point", "soil_moisture", "sunshine", "radiation"]
    for q in quantities:
        helpers.append(f'''def parse_{q}(text):
    """Parse a {q.replace("_", " ")} value from a station report field."""
    text = text.strip()
    if not text or text == "M":
        return None
    return float(text)


def validate_{q}(value, low, high):
    """Return the value if it lies in [low, high], else None."""
    if value is None:
        return None
    if value < low or value > high:
        return None
    return value


def average_{q}(values):
    """Mean of the non-missing {q.replace("_", " ")} values, or None when there are none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return sum(present) / len(present)


def flag_{q}(station_id, value, previous):
    """Return a quality flag for a {q.replace("_", " ")} reading compared with the previous one.

    A reading that is missing gets the flag "M"; one that changed by more than half of the previous
    value gets "S" (suspect); anything else gets "G" (good)."""
    if value is None:
        return "M"
    if previous is not None and abs(value - previous) > abs(previous) / 2:
        return "S"
    return "G"
''')
    files.append(("weatherkit/fields.py", "\n\n".join(helpers)))
    files.append(("weatherkit/units.py", '''"""Unit conversions used throughout weatherkit."""

KELVIN_OFFSET = 273.15


def celsius_to_fahrenheit(celsius):
    """Convert degrees Celsius to degrees Fahrenheit (a float, for display)."""
    return celsius * 9 / 5 + 32


def fahrenheit_to_celsius(fahrenheit):
    """Convert degrees Fahrenheit to degrees Celsius."""
    return (fahrenheit - 32) * 5 / 9


def celsius_to_storage(celsius):
    """Convert a temperature in degrees Celsius to the unit the archive stores:
    an integer number of tenths of a kelvin."""
    return round((celsius + KELVIN_OFFSET) * 10)


def storage_to_celsius(tenths_kelvin):
    """Convert an archived temperature (tenths of a kelvin) back to degrees Celsius."""
    return tenths_kelvin / 10 - KELVIN_OFFSET


def knots_to_metres_per_second(knots):
    """Convert a wind speed in knots to metres per second."""
    return knots * 0.514444


def hectopascal_to_inches(hpa):
    """Convert a pressure in hectopascals to inches of mercury."""
    return hpa * 0.0295299830714
'''))
    files.append(("weatherkit/display.py", '''"""Formatting for the station dashboard."""

from weatherkit.units import celsius_to_fahrenheit


def format_temperature(celsius, fahrenheit=False):
    """Format a temperature for display, rounded to one decimal."""
    if fahrenheit:
        return f"{celsius_to_fahrenheit(celsius):.1f} °F"
    return f"{celsius:.1f} °C"


def round_reading(value, places=1):
    """Round a reading for display; storage never uses this."""
    return round(value, places)


def temperature_to_int(celsius):
    """Whole degrees Celsius for the compact dashboard tiles (display only, not stored)."""
    return int(celsius)
'''))
    station_funcs = []
    for name in ["open", "close", "sync", "reset", "calibrate", "rename", "retire", "inspect", "schedule",
                 "restore"]:
        station_funcs.append(f'''def {name}_station(registry, station_id, user):
    """{name.capitalize()} a station in the registry and log who did it."""
    station = registry.get(station_id)
    if station is None:
        raise KeyError(f"unknown station {{station_id}}")
    registry.log(action="{name}", station=station_id, user=user)
    return station
''')
    files.append(("weatherkit/stations.py", "\n\n".join(station_funcs)))
    files.append(("weatherkit/archive.py", '''"""Writing readings to the long-term archive."""

from weatherkit.units import celsius_to_storage


def archive_reading(db, station_id, timestamp, celsius):
    """Store one temperature reading, converted to the archive's storage unit."""
    db.insert("readings", station=station_id, time=timestamp, value=celsius_to_storage(celsius))


def archive_batch(db, station_id, readings):
    """Store many (timestamp, celsius) readings in one transaction."""
    with db.transaction():
        for timestamp, celsius in readings:
            archive_reading(db, station_id, timestamp, celsius)
'''))
    rng.shuffle(files)
    parts = ["Repository: weatherkit — tools for processing automatic weather station reports.", ""]
    for path, text in files:
        parts += [f"File: {path}", "```python", text.rstrip(), "```", ""]
    context = "\n".join(parts)
    assert "def celsius_to_storage(celsius):" in context
    return dict(domain="Code Repository Understanding", sub_domain="Code repo QA", difficulty="hard",
                length="short",
                question="In the weatherkit repository, which function converts a temperature in degrees Celsius "
                         "into the integer unit that the archive stores?",
                correct="celsius_to_storage",
                wrong=["temperature_to_int", "round_reading", "celsius_to_fahrenheit"], letter="D", context=context)


# 8. Table ---------------------------------------------------------------------------------------------------

def table(rng):
    regions = ["Northern", "Southern", "Eastern", "Western", "Central"]
    prefixes = ["Ash", "Bel", "Cor", "Dun", "Elm", "Fal", "Gar", "Hol", "Kil", "Lin", "Mor", "Nor", "Pen", "Ros",
                "Tam", "Wes", "Bram", "Cal", "Hart", "Oak"]
    suffixes = ["ford", "ton", "by", "wick", "moor", "dale", "ley", "field", "hurst", "mouth", "combe", "stead",
                "bury", "well", "gate"]
    names = [p + s for p in prefixes for s in suffixes]
    rng.shuffle(names)
    rows = []
    for name in names[:280]:
        region = rng.choice(regions)
        rows.append([name, region, rng.randint(5, 900), rng.randint(450, 1900), rng.randint(40, 210)])
    north = [r for r in rows if r[1] == "Northern"]
    north.sort(key=lambda r: -r[3])
    # Make the wettest Northern station clearly the wettest, and another region's station wetter still.
    north[0][3] = max(r[3] for r in north[1:]) + 57
    rows[[r[1] for r in rows].index("Southern")][3] = north[0][3] + 120
    wettest, others = north[0][0], [r[0] for r in north[1:4]]
    header = "| station | region | elevation_m | annual_rainfall_mm | sunny_days |"
    lines = [header, "|---|---|---|---|---|"] + ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    parts = ["Annual climate summary of the regional station network, 2022.",
             "Each row gives one station: its region, elevation in metres, total rainfall over the year in "
             "millimetres, and the number of days with more than six hours of sunshine.", "",
             "\n".join(lines), "",
             "Notes: rainfall totals include snowfall converted to its water equivalent. Stations with more than "
             "ten days of missing data were excluded from this table."]
    context = "\n".join(parts)
    assert max((r for r in rows if r[1] == "Northern"), key=lambda r: r[3])[0] == wettest
    return dict(domain="Long Structured Data Understanding", sub_domain="Table QA", difficulty="hard",
                length="short",
                question="Which station in the Northern region recorded the greatest annual rainfall in 2022?",
                correct=wettest, wrong=others, letter="B", context=context)


# 9. Academic paper ------------------------------------------------------------------------------------------

ACADEMIC_POOL = [
    "Speech tagging in low-resource languages remains difficult because annotated recordings are scarce.",
    "Prior work has mostly relied on transfer from high-resource languages, with mixed results.",
    "We follow the standard train, development and test splits released with each corpus.",
    "All models are trained with the same budget of GPU hours to make the comparison fair.",
    "Hyperparameters were tuned on the development sets only, and the test sets were used once.",
    "We report the mean over five random seeds; standard deviations were below 0.6 points in all cases.",
    "Sparse routing lets different experts specialise in different acoustic conditions.",
    "The gating network is a single linear layer followed by a top-2 selection.",
    "An auxiliary load-balancing loss keeps the experts from collapsing onto a single choice.",
    "Error analysis shows that most remaining mistakes involve short function words.",
    "The gains are largest on recordings made outdoors, where background noise is strongest.",
    "Future work will extend the approach to languages without any written standard.",
    "Each corpus was recorded by volunteers using ordinary mobile phones.",
    "Annotators marked part-of-speech tags directly on the audio, without a written transcript.",
    "Inter-annotator agreement, measured on a shared sample, was high for content words.",
    "The encoder is pretrained on untranscribed audio from related languages.",
    "Adapters add a small number of parameters to each layer while the encoder stays frozen.",
    "We found that learning-rate warm-up was essential for stable training of the router.",
    "Increasing the number of experts beyond eight brought no further improvement in our pilot runs.",
    "Inference cost grows only slightly with the number of experts, since each frame uses two of them.",
    "Results on the development sets followed the same pattern as on the test sets.",
    "The corpora differ in speaking style, from scripted radio to spontaneous market conversations.",
]


def academic(rng):
    methods = ["Dense baseline", "Adapter tuning", "SparseTag-4", "SparseTag-8"]
    datasets = ["Harbor-Speech", "Upland-Radio", "Market-Talk"]
    best = {"Harbor-Speech": "Adapter tuning", "Upland-Radio": "SparseTag-8", "Market-Talk": "SparseTag-4"}
    scores = {}
    for d in datasets:
        values = sorted(rng.sample(range(612, 889), 4), reverse=True)
        order = [best[d]] + [m for m in methods if m != best[d]]
        for m, v in zip(order, values):
            scores[(m, d)] = v / 10
    parts = ["Sparse Expert Routing for Low-Resource Speech Tagging", "", "Abstract", "",
             sentences(rng, ACADEMIC_POOL, 6), "", "1 Introduction", "", sentences(rng, ACADEMIC_POOL, 16), "",
             sentences(rng, ACADEMIC_POOL, 14), "", "2 Related work", "", sentences(rng, ACADEMIC_POOL, 20), "",
             "3 Method", "", sentences(rng, ACADEMIC_POOL, 18), "", sentences(rng, ACADEMIC_POOL, 16), "",
             "4 Experiments", "", sentences(rng, ACADEMIC_POOL, 12), "",
             "Table 2: F1 scores on the test sets (higher is better).",
             "method | " + " | ".join(datasets)]
    for m in methods:
        parts.append(m + " | " + " | ".join(f"{scores[(m, d)]:.1f}" for d in datasets))
    parts += ["", sentences(rng, ACADEMIC_POOL, 14), "", "5 Discussion", "", sentences(rng, ACADEMIC_POOL, 18), "",
              sentences(rng, ACADEMIC_POOL, 16), "", "6 Conclusion", "", sentences(rng, ACADEMIC_POOL, 9)]
    context = "\n".join(parts)
    assert max(methods, key=lambda m: scores[(m, "Harbor-Speech")]) == "Adapter tuning"
    return dict(domain="Single-Document QA", sub_domain="Academic", difficulty="easy", length="short",
                question="According to Table 2 of the paper, which method achieved the highest F1 score on the "
                         "Harbor-Speech test set?",
                correct="Adapter tuning", wrong=["Dense baseline", "SparseTag-4", "SparseTag-8"], letter="B",
                context=context)


# 10. Council minutes ----------------------------------------------------------------------------------------

COUNCIL_POOL = [
    "The minutes of the previous meeting were approved as a correct record.",
    "Councillor Reeve declared an interest in the planning item and left the room for its discussion.",
    "The clerk reported that the annual audit had been completed without any matters of concern.",
    "A member of the public asked about the state of the footpaths near the school.",
    "The council agreed to write to the county highways department about the speed of traffic on the main road.",
    "The allotment association reported a waiting list of twelve households.",
    "Members noted the police report for the month, which recorded no serious incidents.",
    "The grass-cutting contract was discussed, and the clerk was asked to obtain three quotations.",
    "The council thanked the volunteers who had organised the litter pick.",
    "The chair reminded members that the next meeting would start half an hour earlier.",
    "Correspondence from residents about street lighting was noted and referred to the working group.",
    "The finance report showed spending in line with the budget for the year to date.",
]

BRIDGE = {
    "February": "The clerk presented a surveyor's report on the Mill Lane bridge, which found cracked stonework. "
                "Members agreed that repairs were needed and asked for costed options.",
    "April": "Two quotations for repairing the Mill Lane bridge were considered. The council deferred a decision "
             "until a grant application had been decided.",
    "June": "The grant application for the Mill Lane bridge was refused. Members discussed funding the repairs "
            "from reserves and again deferred the decision.",
    "September": "The council resolved to approve a budget of £48,000 from reserves for repairing the Mill Lane "
                 "bridge, and instructed the clerk to appoint the contractor.",
    "November": "The clerk reported that repair work on the Mill Lane bridge had started and was on schedule.",
}


def council(rng):
    months = ["January", "February", "March", "April", "May", "June", "July", "September", "October", "November",
              "December"]
    parts = ["Ashcombe Town Council — Minutes of the ordinary meetings held in 2022", ""]
    for n, month in enumerate(months, start=1):
        parts += [f"Meeting {n}: {month} 2022", "", "Present: the chair and eight councillors; the clerk.", ""]
        items = [sentences(rng, COUNCIL_POOL, rng.randint(3, 5)) for _ in range(4)]
        if month in BRIDGE:
            items.insert(rng.randint(1, 3), BRIDGE[month])
        for i, item in enumerate(items, start=1):
            parts.append(f"{n}.{i} {item}")
        parts += ["", "The meeting closed at nine o'clock.", ""]
    context = "\n".join(parts)
    assert "Meeting 8: September 2022" in context and BRIDGE["September"] in context
    return dict(domain="Single-Document QA", sub_domain="Governmental", difficulty="easy", length="short",
                question="In which month of 2022 did Ashcombe Town Council approve the budget for repairing the "
                         "Mill Lane bridge?",
                correct="September", wrong=["February", "April", "June"], letter="A", context=context)


GENERATORS = [financial, legal, detective, news, translation, dialogue, code_repo, table, academic, council]


# Rendering and output ------------------------------------------------------------------------------------------

def number_text(value):
    """A Fraction as GSM8K writes numbers: an integer without a point, a terminating decimal otherwise."""
    if value.denominator == 1:
        return str(value.numerator)
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    assert Fraction(decimal) == value, f"{value} is not a terminating decimal"
    return format(decimal.normalize(), "f")


def evaluate(expr):
    """Exact value of an arithmetic expression of decimal literals, + - * / and parentheses."""
    assert re.fullmatch(r"[0-9.+\-*/() ]+", expr), expr
    return eval(re.sub(r"\d+(?:\.\d+)?", lambda m: f"Fraction('{m.group(0)}')", expr), {"Fraction": Fraction})


def render_gsm8k(question, steps):
    values, lines = {}, []
    last = None
    for step in steps:
        def annotate(match):
            nonlocal last
            money, name, expr = match.group(1), match.group(2), match.group(3)
            shown = re.sub(r"[a-z_][a-z_0-9]*", lambda m: number_text(values[m.group(0)]), expr).replace(" ", "")
            value = evaluate(shown)
            values[name] = value
            last = value
            return f"{shown} = {money}<<{shown}={number_text(value)}>>{number_text(value)}"
        lines.append(re.sub(r"\[\[(\$?)([a-z_0-9]+) = ([^\]]+)\]\]", annotate, step))
    assert last is not None and last.denominator == 1 and last > 0, question
    lines.append(f"#### {number_text(last)}")
    return {"question": question, "answer": "\n".join(lines)}


def numinamath_row(source, problem, solution, target):
    boxed = solution.rfind("\\boxed{")
    assert boxed >= 0, problem
    return {"source": source, "problem": problem, "solution": solution,
            "messages": [{"role": "user", "content": problem}, {"role": "assistant", "content": solution}]}


def longbench_row(generator):
    row = generator(random.Random(generator.__name__))
    choices = list(row["wrong"])
    position = LETTERS.index(row["letter"])
    choices.insert(position, row["correct"])
    assert len(set(choices)) == 4 and words(row["context"]) >= 2000, generator.__name__
    row_id = hashlib.sha256(generator.__name__.encode()).hexdigest()[:24]
    out = {"_id": row_id, "domain": row["domain"], "sub_domain": row["sub_domain"],
           "difficulty": row["difficulty"], "length": row["length"], "question": row["question"]}
    for letter, choice in zip(LETTERS, choices):
        out[f"choice_{letter}"] = choice
    out["answer"] = row["letter"]
    out["context"] = row["context"]
    return out


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    out = Path(__file__).resolve().parent.parent / "Fixtures" / "datasets"
    out.mkdir(parents=True, exist_ok=True)
    gsm8k = [render_gsm8k(q, steps) for q, steps in PROBLEMS]
    assert len(gsm8k) == 50 and len({r["question"] for r in gsm8k}) == 50
    numina = [numinamath_row(*row) for row in ROWS]
    assert len(numina) == 20
    longbench = [longbench_row(g) for g in GENERATORS]
    assert len(longbench) == 10
    write_jsonl(out / "gsm8k_sample.jsonl", gsm8k)
    write_jsonl(out / "numinamath_sample.jsonl", numina)
    write_jsonl(out / "longbench_v2_sample.jsonl", longbench)
    total = sum((out / n).stat().st_size for n in
                ["gsm8k_sample.jsonl", "numinamath_sample.jsonl", "longbench_v2_sample.jsonl"])
    print(f"wrote {len(gsm8k)} + {len(numina)} + {len(longbench)} rows, {total} bytes, to {out.name}/")


if __name__ == "__main__":
    main()
